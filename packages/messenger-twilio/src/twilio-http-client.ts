/**
 * The HTTP client handed to the Twilio SDK through its own `httpClient` option: the SDK's
 * RequestClient, with two changes. Requests go to the configured origin (Twilio's, or a local
 * fake; the SDK's edge/region options can only name Twilio hosts), and an answer that is not 2xx
 * is thrown as a TwilioHttpAnswer that keeps the response headers — the SDK's RestException drops
 * them, and with them Retry-After.
 */
import twilio from 'twilio';

/** A non-2xx answer of the Twilio API: status, headers and body as received. */
export class TwilioHttpAnswer extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: unknown;

  constructor(status: number, headers: Readonly<Record<string, unknown>>, body: unknown) {
    super(`Twilio answered HTTP ${status}`);
    this.name = 'TwilioHttpAnswer';
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}

type RequestOptions<TData> = Parameters<twilio.RequestClient['request']>[0] & { data?: TData };
type Response<TData> = Awaited<ReturnType<twilio.RequestClient['request']>> & { body: TData };

/** The SDK's RequestClient pointed at `baseUrl`. */
export class TwilioHttpClient extends twilio.RequestClient {
  readonly #origin: string;

  constructor(baseUrl: string, timeoutMs: number) {
    super({ timeout: timeoutMs, keepAlive: true });
    this.#origin = baseUrl;
  }

  override async request<TData>(opts: RequestOptions<TData>): Promise<Response<TData>> {
    const url = new URL(opts.uri);
    const uri = `${this.#origin}${url.pathname}${url.search}`;
    const response = (await super.request<TData>({ ...opts, uri })) as Response<TData>;
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    throw new TwilioHttpAnswer(
      response.statusCode,
      (response.headers ?? {}) as Record<string, unknown>,
      response.body,
    );
  }
}
