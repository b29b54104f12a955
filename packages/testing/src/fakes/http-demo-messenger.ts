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

export interface HttpDemoMessengerOptions extends MessengerOptions {
  /** The provider's base URL, e.g. a `DemoProvider`'s `url`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Injectable fetch (a proxy-aware one, a recorder). Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A minimal HTTP messenger for the demo provider (`startDemoProvider()`): one JSON POST per
 * dispatch, the dispatch id as `Idempotency-Key` and `reference`. The shape every HTTP messenger
 * follows: statuses map to outcomes (401/403 and the shared defaults retry, other 4xx are
 * permanent), a network failure is a retryable error, and nothing is ever thrown for one recipient.
 */
export class HttpDemoMessenger extends Messenger {
  static override alias: string = 'http-demo';
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: HttpDemoMessengerOptions) {
    super(options);
    if (!/^https?:\/\//.test(options.baseUrl ?? '')) {
      throw new ConfigurationError(`[${this.alias}] baseUrl must be an http(s) URL.`);
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new ConfigurationError(`[${this.alias}] apiKey is required.`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }

  override validateAddress(address: string): boolean {
    return EMAIL.test(address);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return Promise.all(
      batch.map(async (item) => ({ dispatchId: item.dispatch.id, result: await this.post(item) })),
    );
  }

  override async healthCheck(): Promise<HealthStatus> {
    try {
      const response = await this.request('GET', '/v1/account');
      await response.body?.cancel();
      if (response.ok) return { status: 'healthy' };
      if (response.status === 401 || response.status === 403) {
        return { status: 'unhealthy', detail: 'the provider refused the API key' };
      }
      return { status: 'unhealthy', detail: `the provider answered HTTP ${response.status}` };
    } catch (error) {
      return { status: 'unhealthy', detail: `the provider is unreachable: ${describeError(error)}` };
    }
  }

  private async post(item: OutgoingDispatch): Promise<Result<SentReceipt, DeliveryError>> {
    const { dispatch, compiled } = item;
    let response: Response;
    try {
      response = await this.request('POST', '/v1/messages', dispatch.id, {
        to: dispatch.address,
        text: compiled.text,
        ...(compiled.subject !== undefined && { subject: compiled.subject }),
        reference: dispatch.id,
      });
    } catch (cause) {
      const reason = describeError(cause);
      return err(
        new DeliveryError(`[sitemsg] [${this.alias}] could not reach the provider (${reason}); will retry.`, {
          retryable: true,
          cause,
        }),
      );
    }
    const text = await response.text();
    if (!response.ok) return err(this.refusal(dispatch.address, response.status, text));
    const id = parseJson(text)?.id;
    return ok(typeof id === 'string' ? { providerMessageId: id } : {});
  }

  private refusal(address: string, status: number, body: string): DeliveryError {
    const code = parseJson(body)?.error?.code;
    const providerCode = typeof code === 'string' ? code : undefined;
    // Refused credentials are fixed by the operator, not by the recipient: keep the messages.
    const auth = status === 401 || status === 403;
    return new DeliveryError(
      `[sitemsg] [${this.alias}] the provider refused ${address}: HTTP ${status}${providerCode ? ` ${providerCode}` : ''}.`,
      {
        statusCode: status,
        responseBody: body,
        ...(providerCode && { providerCode }),
        ...(auth && { retryable: true }),
      },
    );
  }

  private request(method: string, path: string, idempotencyKey?: string, body?: unknown): Promise<Response> {
    return this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}

function parseJson(text: string): { id?: unknown; error?: { code?: unknown } } | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}
