/**
 * The base of a local SMS provider fake: a `node:http` server on 127.0.0.1 (an ephemeral port)
 * that reads each request whole, hands it to the subclass, and writes the answer it returns —
 * or, while `outage` is `network`, drops the connection unanswered. The subclass answers as its
 * provider's documented API does and records what went over the wire.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the fake: status, headers, and a body sent as JSON. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** What every recorded request has: method, path (with its query) and headers as they arrived. */
export interface ProviderRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A request as it arrived, with its body. */
export interface ArrivedRequest extends ProviderRequest {
  readonly body: Buffer;
}

export abstract class FakeProviderServer {
  /** `auth`: every request is refused as unauthenticated; `network`: connections drop unanswered. */
  outage: 'auth' | 'network' | null = null;
  readonly #server: Server;
  readonly #basicAuth: string;
  #port = 0;

  /** The HTTP Basic credentials the provider accepts (an account SID and token, an API key and secret). */
  constructor(user: string, password: string) {
    this.#basicAuth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.outage === 'network') {
          res.socket?.destroy();
          return;
        }
        const answer = this.answer({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          ...(text && { 'Content-Type': 'application/json' }),
          ...answer.headers,
        });
        res.end(text);
      });
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  /** Whether a request carries the accepted credentials (never while `outage` is `auth`). */
  protected authorized(headers: IncomingHttpHeaders): boolean {
    return this.outage !== 'auth' && headers.authorization === this.#basicAuth;
  }

  /** Answers one request (and records it). */
  protected abstract answer(request: ArrivedRequest): ScriptedAnswer;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Base URL, e.g. `http://127.0.0.1:43125`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
