import { SendgridDeliveryError } from './errors.js';

/** One entry of SendGrid's error body `{ errors: [{ message, field, help }] }`. */
export interface SendgridApiError {
  readonly message: string;
  readonly field: string | null;
  readonly help: unknown;
}

/** What a failed /mail/send request means for the dispatches it carried. */
export interface Failure {
  readonly error: SendgridDeliveryError;
  /** Personalization index -> SendGrid's complaint about it (a 400 naming `personalizations.N...`). */
  readonly byPersonalization: ReadonlyMap<number, string>;
  /** Later requests of the batch would fail the same way (credentials, rate limit, unreachable). */
  readonly stopBatch: boolean;
}

export interface ClassifyContext {
  readonly alias: string;
  /** Removed from anything quoted back, in case a proxy or a fake ever echoes it. */
  readonly apiKey: string;
  readonly now: number;
}

/** Maps what @sendgrid/mail rejected with (a ResponseError, an axios network error, a helper error). */
export function classifyFailure(thrown: unknown, ctx: ClassifyContext): Failure {
  const status = statusOf(thrown);
  if (status === undefined) return networkOrLocal(thrown, ctx);
  const response = (thrown as { response?: { headers?: unknown; body?: unknown } }).response ?? {};
  const errors = apiErrors(response.body);
  const said =
    redact(errors.map((e) => e.message).join('; ') || shortBody(response.body), ctx.apiKey) || 'no details';
  const base = {
    statusCode: status,
    responseBody: redact(shortBody(response.body), ctx.apiKey),
    ...(errors[0]?.field && { providerCode: errors[0].field }),
  };
  const p = `[${ctx.alias}]`;
  if (status === 401 || status === 403 || status === 404 || status === 405) {
    const what =
      status === 404 || status === 405
        ? `SendGrid has no /v3/mail/send at the configured baseUrl (${status})`
        : `SendGrid refused the API key or the sender (${status}: ${said})`;
    const error = new SendgridDeliveryError(
      `${p} ${what}. Check apiKey (it needs the mail.send scope), baseUrl and that "from" is a verified sender; dispatches are kept and retried.`,
      { ...base, retryable: true, configuration: true },
    );
    return { error, byPersonalization: new Map(), stopBatch: true };
  }
  if (status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers, ctx.now, status === 429);
    const wait =
      retryAfterMs === undefined ? '' : ` SendGrid asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    const what =
      status === 429 ? 'SendGrid rate limit reached (429)' : `SendGrid failed (${status}: ${said})`;
    const error = new SendgridDeliveryError(`${p} ${what}; will retry.${wait}`, {
      ...base,
      retryable: true,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
    return { error, byPersonalization: new Map(), stopBatch: status === 429 };
  }
  const what =
    status === 413
      ? 'SendGrid refused the request as too large (413): keep messages and attachments under 30 MB'
      : `SendGrid refused the request (${status}: ${said}): fix the message, it is not retried`;
  const error = new SendgridDeliveryError(`${p} ${what}.`, {
    ...base,
    retryable: status === 408 || status === 409,
  });
  return {
    error,
    byPersonalization: status === 400 ? byPersonalization(errors) : new Map(),
    stopBatch: false,
  };
}

/** The error for one personalization SendGrid named in a 400. */
export function recipientError(alias: string, complaint: string): SendgridDeliveryError {
  return new SendgridDeliveryError(
    `[${alias}] SendGrid refused this recipient (400: ${complaint}); not retried.`,
    {
      statusCode: 400,
      retryable: false,
    },
  );
}

function networkOrLocal(thrown: unknown, ctx: ClassifyContext): Failure {
  const code = (thrown as { code?: unknown } | null)?.code;
  const message = redact(thrown instanceof Error ? thrown.message : String(thrown), ctx.apiKey);
  if (typeof code === 'string' || (thrown as { isAxiosError?: unknown } | null)?.isAxiosError === true) {
    const error = new SendgridDeliveryError(
      `[${ctx.alias}] could not reach SendGrid (${typeof code === 'string' ? code : 'network error'}: ${message}); will retry.`,
      { retryable: true },
    );
    return { error, byPersonalization: new Map(), stopBatch: true };
  }
  // Thrown by @sendgrid/helpers while building the request: the message itself is malformed.
  const error = new SendgridDeliveryError(
    `[${ctx.alias}] the message could not be turned into a SendGrid request (${message}); not retried.`,
    { retryable: false },
  );
  return { error, byPersonalization: new Map(), stopBatch: false };
}

function statusOf(thrown: unknown): number | undefined {
  if (typeof thrown !== 'object' || thrown === null || !('response' in thrown)) return undefined;
  const code = (thrown as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export function apiErrors(body: unknown): SendgridApiError[] {
  const list = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { message, field, help } = e as Record<string, unknown>;
    return [
      {
        message: typeof message === 'string' ? message : 'unknown error',
        field: typeof field === 'string' && field !== 'null' ? field : null,
        help,
      },
    ];
  });
}

function byPersonalization(errors: readonly SendgridApiError[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const e of errors) {
    const match = /^personalizations\.(\d+)\./.exec(e.field ?? '');
    if (!match) return new Map(); // one complaint about the whole request fails all of it
    const index = Number(match[1]);
    found.set(index, [found.get(index), `${e.message} (${e.field})`].filter(Boolean).join('; '));
  }
  return found;
}

/**
 * Retry-After (seconds or an HTTP date), else, for a 429, X-RateLimit-Reset (a Unix time), as ms
 * from now. SendGrid sends the rate-limit headers on every answer; only a 429 means they apply.
 */
export function retryAfter(headers: unknown, now: number, rateLimited: boolean): number | undefined {
  const after = headerValue(headers, 'retry-after');
  if (after !== undefined) {
    const seconds = Number(after);
    if (after.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (!rateLimited) return undefined;
  const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** Reads a response header from axios's AxiosHeaders or a plain object, whatever the case. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.map(String).join(', ');
    if (value !== undefined && value !== null) return String(value);
  }
  return undefined;
}

function shortBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function redact(text: string, secret: string): string {
  return secret.length > 0 ? text.split(secret).join('[redacted]') : text;
}
