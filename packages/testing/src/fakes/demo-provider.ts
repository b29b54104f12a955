import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeProvider, ReceivedMessage } from '../messenger/harness.js';

/** One HTTP request as it arrived at the demo provider. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * A tiny HTTP messaging provider on 127.0.0.1 (an ephemeral port), the wire `HttpDemoMessenger`
 * talks to. `POST /v1/messages` with `Authorization: Bearer <apiKey>`, an `Idempotency-Key` and a
 * JSON body `{ to, text, subject?, reference }` answers 202 `{ id }`; 400 `invalid_recipient`,
 * 503 `unavailable` (with Retry-After), 401 `unauthorized` or 422 `invalid_request` otherwise.
 * `GET /v1/account` answers 200 for a valid key. It records every request and every accepted message.
 */
export class DemoProvider implements FakeProvider {
  readonly apiKey: string = `demo-key-${randomUUID()}`;
  readonly requests: RecordedRequest[] = [];
  private readonly accepted: (ReceivedMessage & { id: string; idempotencyKey: string | undefined })[] = [];
  private readonly refusals = new Map<string, 'permanent' | 'retryable'>();
  private outage: 'auth' | 'network' | null = null;
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      if (this.outage === 'network') socket.destroy();
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:43125`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async received(): Promise<readonly ReceivedMessage[]> {
    return this.accepted.map(({ address, text, subject, dispatchId }) => ({
      address,
      text,
      ...(subject !== undefined && { subject }),
      ...(dispatchId !== undefined && { dispatchId }),
    }));
  }

  failAddress(address: string, kind: 'permanent' | 'retryable'): void {
    this.refusals.set(address, kind);
  }

  failAll(kind: 'auth' | 'network' | null): void {
    this.outage = kind;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.outage === 'network') {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, headers: { ...req.headers }, body });
    const answer = this.answer(req, path, body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  private answer(req: IncomingMessage, path: string, body: string): Answer {
    if (this.outage === 'auth' || req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return refused(401, 'unauthorized', 'Invalid API key.');
    }
    if (req.method === 'GET' && path === '/v1/account') return { status: 200, body: { status: 'active' } };
    if (req.method === 'POST' && path === '/v1/messages')
      return this.accept(header(req, 'idempotency-key'), body);
    return refused(404, 'not_found', `No route ${req.method} ${path}.`);
  }

  private accept(idempotencyKey: string | undefined, raw: string): Answer {
    const message = parseMessage(raw);
    if (!message) return refused(422, 'invalid_request', '"to" and "text" are required.');
    const earlier = idempotencyKey && this.accepted.find((m) => m.idempotencyKey === idempotencyKey);
    if (earlier) return { status: 202, body: { id: earlier.id, status: 'accepted' } };
    const refusal = this.refusals.get(message.to);
    if (refusal === 'permanent') return refused(400, 'invalid_recipient', `${message.to} does not exist.`);
    if (refusal === 'retryable') {
      return { ...refused(503, 'unavailable', 'Try again later.'), headers: { 'retry-after': '1' } };
    }
    const id = `msg_${this.accepted.length + 1}`;
    this.accepted.push({
      id,
      idempotencyKey,
      address: message.to,
      text: message.text,
      ...(message.subject !== undefined && { subject: message.subject }),
      ...(message.reference !== undefined && { dispatchId: message.reference }),
    });
    return { status: 202, body: { id, status: 'accepted' } };
  }
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

function refused(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

/** Starts a demo provider on an ephemeral port of 127.0.0.1. */
export function startDemoProvider(): Promise<DemoProvider> {
  return new DemoProvider().listen();
}

interface WireMessage {
  to: string;
  text: string;
  subject?: string;
  reference?: string;
}

function parseMessage(raw: string): WireMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { to, text, subject, reference } = value as Record<string, unknown>;
  if (typeof to !== 'string' || typeof text !== 'string') return null;
  return {
    to,
    text,
    ...(typeof subject === 'string' && { subject }),
    ...(typeof reference === 'string' && { reference }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
