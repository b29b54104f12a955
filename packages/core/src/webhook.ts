/**
 * The framework-neutral contract of a provider webhook (SendGrid events, Twilio status callbacks,
 * ...). A channel package exports a factory that returns a `WebhookHandler`; the application
 * mounts it wherever its HTTP framework lives (express-views at `/webhooks/:provider`, or a
 * Fastify / Hono / plain `node:http` route), so neither side needs to know the other.
 */
import { ConfigurationError } from './errors.js';

/** Header values as `node:http` gives them (lower-case names); a fetch `Headers` becomes one with `Object.fromEntries(headers)`. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a provider sent, before any parsing: signatures cover the exact bytes and, for some providers, the URL. */
export interface WebhookRequest {
  /** `POST` for most providers; some verify an endpoint with a `GET` first. */
  readonly method: string;
  /**
   * The full public URL as the provider called it (`https://shop.example/sitemsg/webhooks/twilio?x=1`),
   * not the one a reverse proxy forwarded to: Twilio, for one, signs it.
   */
  readonly url: string;
  readonly headers: WebhookHeaders;
  /** The body exactly as received: never parsed and re-serialised JSON, which would break the signature. */
  readonly rawBody: Uint8Array;
}

/** What to answer the provider; the framework writes it out as is. */
export interface WebhookResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * Verifies, parses and acts on one provider request. It answers every expected failure (bad
 * signature, stale timestamp, malformed body) with a response, not an exception: a throw means a
 * bug, and the framework answers 500.
 */
export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

/** One header of a webhook request, looked up case-insensitively; the first value when it was repeated. */
export function webhookHeader(request: Pick<WebhookRequest, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}

/**
 * `{siteUrl}{basePath}/webhooks/{provider}`: where express-views serves a provider's webhook
 * handler (`webhooks: { twilio }` under its `basePath`, the engine's `linkBasePath`).
 */
export function buildWebhookUrl(siteUrl: string, basePath: string, provider: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(provider)) {
    throw new ConfigurationError(
      `"${provider}" is not a webhook provider name (lower-case letters, digits, "-" and "_", as express-views mounts them).`,
    );
  }
  return `${siteUrl.replace(/\/+$/, '')}${basePath}/webhooks/${provider}`;
}
