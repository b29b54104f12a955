import {
  ConfigurationError,
  DeliveryError,
  type DispatchResult,
  describeError,
  err,
  type HealthStatus,
  Messenger,
  type MessengerOptions,
  type OutgoingDispatch,
  ok,
  type Result,
  type SentReceipt,
  type SitemsgUser,
} from '@sitemsg/core/plugin';
import { signatureHeader } from './signature.js';

export interface WebhookMessengerOptions extends MessengerOptions {
  /** The chat service's API base URL, e.g. `https://hooks.example.com`. */
  readonly baseUrl: string;
  /** The signing secret the service gave you (at least 16 characters). Never logged. */
  readonly secret: string;
  /** Injectable fetch (a proxy-aware one in production, nothing special in tests). Default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Per-request timeout in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Unix seconds for signatures. Default: the system clock. */
  readonly now?: () => number;
}

/** A chat handle: `@` then 2 to 32 letters, digits, `.`, `_` or `-`. */
const HANDLE = /^@[a-z0-9][a-z0-9._-]{1,31}$/i;

/**
 * Delivers messages to a team-chat service's signed incoming webhook: one JSON POST per dispatch,
 * signed with HMAC-SHA256, the dispatch id as `Idempotency-Key` so a retried dispatch is never
 * posted twice. Addresses are chat handles (`@ada`); a user's handle is read from `chatHandle`.
 */
export class WebhookMessenger extends Messenger {
  static override alias: string = 'webhook';
  private readonly baseUrl: string;
  private readonly secret: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: WebhookMessengerOptions) {
    super({ title: 'Team chat', ...options });
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\/[^/]/.test(options.baseUrl)) {
      throw new ConfigurationError(
        `[${this.alias}] baseUrl must be an http(s) URL such as https://hooks.example.com.`,
      );
    }
    if (typeof options.secret !== 'string' || options.secret.length < 16) {
      throw new ConfigurationError(
        `[${this.alias}] secret must be the signing secret (at least 16 characters).`,
      );
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.secret = options.secret;
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.chatHandle === 'string' ? user.chatHandle : undefined;
  }

  override validateAddress(address: string): boolean {
    return HANDLE.test(address);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return Promise.all(
      batch.map(async (item) => ({ dispatchId: item.dispatch.id, result: await this.deliver(item) })),
    );
  }

  override async healthCheck(): Promise<HealthStatus> {
    try {
      const response = await this.post('/v1/ping', '');
      await response.body?.cancel();
      if (response.ok) return { status: 'healthy' };
      const detail =
        response.status === 401
          ? 'the service refused the signature: check the secret'
          : `HTTP ${response.status}`;
      return { status: 'unhealthy', detail };
    } catch (error) {
      return { status: 'unhealthy', detail: `unreachable: ${describeError(error)}` };
    }
  }

  private async deliver({
    dispatch,
    compiled,
  }: OutgoingDispatch): Promise<Result<SentReceipt, DeliveryError>> {
    const body = JSON.stringify({
      recipient: dispatch.address,
      text: compiled.text,
      ...((compiled.title ?? compiled.subject) && { title: compiled.title ?? compiled.subject }),
      dispatch_id: dispatch.id,
    });
    let response: Response;
    try {
      response = await this.post('/v1/messages', body, dispatch.id);
    } catch (cause) {
      const message = `[${this.alias}] the service is unreachable (${describeError(cause)}); will retry.`;
      return err(DeliveryError.retryable(message, { cause }));
    }
    const text = await response.text();
    const json = parse(text);
    if (response.ok) {
      return ok(typeof json.message_id === 'string' ? { providerMessageId: json.message_id } : {});
    }
    const code = typeof json.code === 'string' ? json.code : undefined;
    // A refused signature is the operator's to fix, not the recipient's: keep the message for later.
    const auth = response.status === 401 || response.status === 403;
    const message = `[${this.alias}] the service refused ${dispatch.address}: HTTP ${response.status}${code ? ` ${code}` : ''}.`;
    return err(
      new DeliveryError(message, {
        statusCode: response.status,
        responseBody: text,
        ...(code && { providerCode: code }),
        ...(auth && { retryable: true }),
      }),
    );
  }

  private post(path: string, body: string, idempotencyKey?: string): Promise<Response> {
    return this.fetchImpl(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-signature': signatureHeader(this.secret, this.now(), body),
        ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
