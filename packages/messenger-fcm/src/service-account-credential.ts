/**
 * The firebase-admin `Credential` the messenger's app authenticates with: a signed JWT exchanged
 * for an OAuth 2 access token at Google's token endpoint (google-auth-library's `JWT` client,
 * firebase-admin's own dependency), scoped to `firebase.messaging` only. Unlike
 * `cert(object, agent)`, which ignores the agent for a key given as content, every token request
 * goes through the configured agent; google-auth-library's own retries (real sleeps inside a
 * batch) are turned off, because sitemsg retries the dispatch with its back-off and clock. A
 * failure is thrown as an OAuthTokenError whose message names the answer, never the signed
 * assertion or the key.
 */
import type { Agent } from 'node:https';
import type { Credential, GoogleOAuthAccessToken } from 'firebase-admin/app';
import { JWT } from 'google-auth-library';
import type { ServiceAccount } from './service-account.js';

/** The one OAuth scope FCM v1 sends need. */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Google's token endpoint refused or could not be reached. */
export class OAuthTokenError extends Error {
  /** The token endpoint's HTTP status; undefined when it did not answer. */
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined) {
    super(message);
    this.name = 'OAuthTokenError';
    this.status = status;
  }
}

export class ServiceAccountCredential implements Credential {
  // Private (#): neither util.inspect nor JSON.stringify of the credential shows the key.
  readonly #jwt: JWT;

  constructor(account: ServiceAccount, agent: Agent, timeoutMs: number) {
    this.#jwt = new JWT({
      email: account.clientEmail,
      key: account.privateKey,
      scopes: [FCM_SCOPE],
      transporterOptions: { agent, timeout: timeoutMs },
    });
    this.#jwt.transporter.interceptors.request.add({
      resolved: async (config) => ({
        ...config,
        retryConfig: { ...config.retryConfig, retry: 0, noResponseRetries: 0 },
      }),
    });
  }

  async getAccessToken(): Promise<GoogleOAuthAccessToken> {
    let token: string | null | undefined;
    try {
      ({ token } = await this.#jwt.getAccessToken());
    } catch (error) {
      throw describeTokenFailure(error);
    }
    const expiry = this.#jwt.credentials.expiry_date;
    if (typeof token !== 'string' || token === '' || typeof expiry !== 'number') {
      throw new OAuthTokenError('the OAuth token endpoint answered without an access token', undefined);
    }
    return { access_token: token, expires_in: Math.floor((expiry - Date.now()) / 1000) };
  }
}

/** A GaxiosError as a short sentence: status and OAuth `error` / `error_description`, or the network code. */
function describeTokenFailure(error: unknown): OAuthTokenError {
  const e = error as {
    code?: unknown;
    response?: { status?: unknown; data?: unknown };
  } | null;
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (status === undefined) {
    const code = typeof e?.code === 'string' ? e.code : 'no answer';
    return new OAuthTokenError(`could not reach Google's OAuth token endpoint (${code})`, undefined);
  }
  const data = e?.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const said = [data?.error, data?.error_description].filter((v) => typeof v === 'string').join(': ');
  return new OAuthTokenError(
    `Google's OAuth token endpoint refused the service account (HTTP ${status}${said ? ` ${said.slice(0, 200)}` : ''})`,
    status,
  );
}
