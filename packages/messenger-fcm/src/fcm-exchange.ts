/**
 * What FCM answered to one send, as it came over the wire. firebase-admin turns an error answer
 * into a `FirebaseMessagingError` that keeps only a code and a message: the HTTP status, the
 * `Retry-After` header and the error's `details` (which field was invalid, FCM's own error code
 * beside the canonical status) are gone, and those are what an exact mapping needs. So each send
 * runs inside an exchange (an AsyncLocalStorage context), and Node's documented
 * `http.client.request.start` diagnostics channel hands every HTTP request made in that context to
 * it: the answer to `POST https://fcm.googleapis.com/v1/projects/{id}/messages:send` is recorded
 * (status, Retry-After, and the body of an error answer) next to what the SDK returns.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** FCM's HTTP answer to a send. */
export interface FcmAnswer {
  readonly status: number;
  /** The `Retry-After` header as sent (seconds or an HTTP date), if any. */
  readonly retryAfter: string | undefined;
  /** The body of an error answer (at most 16 KiB); '' for a success. */
  readonly body: string;
}

/** The FCM host the SDK sends to (and the certificate a test server must present). */
export const FCM_HOST = 'fcm.googleapis.com';
const MAX_BODY = 16 * 1024;

/** One send's record: filled in when FCM's answer (headers, and the body of an error) has arrived. */
export class FcmExchange {
  #answer: FcmAnswer | null = null;
  #body: Promise<void> | null = null;

  /** FCM's answer to the send, once complete (null when no answer came: a network error, a token failure). */
  async answer(): Promise<FcmAnswer | null> {
    await this.#body;
    return this.#answer;
  }

  /** @internal Called for each request made inside the exchange. */
  watch(request: ClientRequest): void {
    if (request.host !== FCM_HOST || !request.path.endsWith('/messages:send')) return;
    request.once('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const header = response.headers['retry-after'];
      const retryAfter = typeof header === 'string' ? header : undefined;
      this.#answer = { status, retryAfter, body: '' };
      if (status < 400) return;
      // A second reader beside the SDK's: both get every chunk of the (small) error body.
      this.#body = new Promise<void>((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        const settle = (): void => {
          this.#answer = {
            status,
            retryAfter,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
          };
          resolve();
        };
        response.once('end', settle);
        response.once('close', settle);
      });
    });
  }
}

const exchanges = new AsyncLocalStorage<FcmExchange>();
let subscribed = false;

/**
 * Runs `send` inside a new exchange and returns both. The diagnostics subscription is made once
 * per process, on first use, and costs one context lookup per HTTP request made outside a send.
 */
export async function withExchange<T>(
  send: () => Promise<T>,
): Promise<{ readonly exchange: FcmExchange; readonly outcome: PromiseSettledResult<T> }> {
  if (!subscribed) {
    subscribe('http.client.request.start', onRequestStart);
    subscribed = true;
  }
  const exchange = new FcmExchange();
  try {
    // firebase-admin throws its validation errors synchronously: caught here as well.
    const value = await exchanges.run(exchange, send);
    return { exchange, outcome: { status: 'fulfilled', value } };
  } catch (reason) {
    return { exchange, outcome: { status: 'rejected', reason } };
  }
}

function onRequestStart(message: unknown): void {
  const exchange = exchanges.getStore();
  if (!exchange) return;
  const { request } = message as { request: ClientRequest };
  exchange.watch(request);
}
