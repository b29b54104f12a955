/** FcmMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import type { Agent } from 'node:https';
import {
  type Clock,
  ConfigurationError,
  checkOptionNames,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import { loadServiceAccount, type ServiceAccount } from './service-account.js';

export interface FcmMessengerOptions extends MessengerOptions {
  /**
   * Path to the service account's JSON key file (Firebase console > Project settings > Service
   * accounts > Generate new private key). Default: `GOOGLE_APPLICATION_CREDENTIALS`. Give this or
   * `serviceAccountJson`. Its private key is never logged, never in an error message.
   */
  readonly serviceAccountFile?: string;
  /** The key file's content instead of a path (a JSON string or the parsed object), e.g. from a secret store. */
  readonly serviceAccountJson?: string | Readonly<Record<string, unknown>>;
  /** The Firebase project messages are sent for. Default: the service account's `project_id`. */
  readonly projectId?: string;
  /** The user field holding the user's FCM registration tokens (a string or an array). Default `fcmTokens`. */
  readonly tokensField?: string;
  /**
   * The agent every request to FCM and to Google's OAuth token endpoint goes through (the SDK's
   * `httpAgent`): a proxy agent, or in tests one that routes to a local server. Default: a
   * keep-alive agent of the messenger's own, closed by `close()`.
   */
  readonly httpAgent?: Agent;
  /** Timeout of an OAuth token request in milliseconds. Default 30 000 (FCM sends: the SDK's 15 000). */
  readonly timeoutMs?: number;
  /** Sends of one batch in flight at once (FCM v1 takes one token per request). Default 16. */
  readonly concurrency?: number;
  /** How long a health check's answer is reused, in milliseconds. Default 60 000; 0 asks FCM every time. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (refused credentials) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for Retry-After dates, APNs expiration and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedFcmOptions {
  readonly serviceAccount: ServiceAccount;
  readonly projectId: string;
  readonly tokensField: string;
  readonly httpAgent: Agent | null;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

/** The default user field for device tokens. */
export const DEFAULT_TOKENS_FIELD = 'fcmTokens';

const KNOWN = new Set([
  'serviceAccountFile',
  'serviceAccountJson',
  'projectId',
  'tokensField',
  'httpAgent',
  'timeoutMs',
  'concurrency',
  'healthCacheMs',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
]);

/** Options that get passed here by mistake, and where each belongs. */
const MISPLACED: Readonly<Record<string, string>> = {
  credential: 'give serviceAccountFile or serviceAccountJson',
  serviceAccount: 'did you mean serviceAccountFile (a path) or serviceAccountJson (the content)?',
  credentials: 'did you mean serviceAccountFile or serviceAccountJson?',
  keyFile: 'did you mean serviceAccountFile?',
  serverKey: 'the legacy FCM server key is gone: FCM v1 authenticates with a service account',
  apiKey: 'FCM v1 authenticates with a service account (serviceAccountFile)',
  app: 'the messenger creates its own firebase-admin app from the service account',
  tokenField: 'did you mean tokensField?',
  agent: 'did you mean httpAgent?',
  timeout: 'did you mean timeoutMs? (milliseconds)',
};

/** Where the service account comes from when neither option names it. */
const ENV_KEY_FILE = 'GOOGLE_APPLICATION_CREDENTIALS';

/** Validates every option; messages never quote the private key. */
export function resolveOptions(
  options: FcmMessengerOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedFcmOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[fcm] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  checkOptionNames(options, { prefix: 'fcm', known: KNOWN, hints: MISPLACED });
  if (options.serviceAccountFile !== undefined && options.serviceAccountJson !== undefined) {
    fail('give serviceAccountFile or serviceAccountJson, not both.');
  }
  const file =
    options.serviceAccountFile ?? (options.serviceAccountJson === undefined ? env[ENV_KEY_FILE] : undefined);
  if (file === undefined && options.serviceAccountJson === undefined) {
    fail(
      `no service account: set serviceAccountFile (the JSON key file from Firebase console > Project settings > Service accounts), serviceAccountJson, or ${ENV_KEY_FILE}.`,
    );
  }
  const serviceAccount =
    file !== undefined
      ? loadServiceAccount({ file })
      : loadServiceAccount({ json: options.serviceAccountJson! });
  const projectId = options.projectId ?? serviceAccount.projectId;
  if (typeof projectId !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    fail(`projectId must be a Firebase project id like "my-shop-1234" (got ${JSON.stringify(projectId)}).`);
  }
  const tokensField = options.tokensField ?? DEFAULT_TOKENS_FIELD;
  if (typeof tokensField !== 'string' || tokensField === '')
    fail('tokensField must be the name of a user field.');
  const httpAgent = options.httpAgent ?? null;
  if (httpAgent !== null && typeof (httpAgent as { addRequest?: unknown }).addRequest !== 'function') {
    fail('httpAgent must be an https.Agent (or an agent-base proxy agent).');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail('timeoutMs must be a positive integer.');
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    fail('concurrency must be an integer from 1 to 256.');
  }
  const healthCacheMs = options.healthCacheMs ?? 60_000;
  if (!Number.isInteger(healthCacheMs) || healthCacheMs < 0)
    fail('healthCacheMs must be 0 or more milliseconds.');
  return {
    serviceAccount,
    projectId,
    tokensField,
    httpAgent,
    timeoutMs,
    concurrency,
    healthCacheMs,
    logger: options.logger ?? console,
    clock: options.clock ?? systemClock,
    messenger: {
      ...(options.alias !== undefined && { alias: options.alias }),
      ...(options.title !== undefined && { title: options.title }),
      ...(options.primary !== undefined && { primary: options.primary }),
    },
  };
}
