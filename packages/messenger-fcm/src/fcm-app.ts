/**
 * The firebase-admin app a messenger sends through, and its end: created from the service account
 * with the messenger's agent (the SDK's `httpAgent`, so FCM and the token endpoint can be reached
 * through a proxy or, in tests, a local server), deleted by `close()` with the agent it made.
 *
 * One change to the SDK's behaviour, checked at start-up: its HTTP client retries a 503, a reset
 * or a timed-out connection by itself, up to four times, sleeping for `Retry-After` (up to 60 s)
 * or 1-4 s between tries. Inside a batch that stalls a worker's lane on real time, and hides the
 * `Retry-After` the engine should honour. sitemsg retries the dispatch itself (back-off, its
 * clock, the lease), so the SDK keeps one retry only: at once, for a connection reset (a
 * keep-alive connection the server closed just as it was reused, which no back-off helps). A 503
 * is one request on the wire, which test/send.test.ts asserts. Should a future firebase-admin
 * move that setting, the messenger refuses to start rather than silently sleep.
 */
import { Agent } from 'node:https';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging, type Messaging } from 'firebase-admin/messaging';
import type { ServiceAccount } from './service-account.js';
import { ServiceAccountCredential } from './service-account-credential.js';

export interface FcmClient {
  readonly messaging: Messaging;
  /** Deletes the app and destroys the agent when the messenger made it; a second call does nothing more. */
  close(): Promise<void>;
}

export interface FcmClientOptions {
  readonly alias: string;
  readonly serviceAccount: ServiceAccount;
  readonly projectId: string;
  /** The application's agent, or null for one of the messenger's own (keep-alive). */
  readonly httpAgent: Agent | null;
  readonly timeoutMs: number;
}

let apps = 0;

export function createFcmClient(options: FcmClientOptions): FcmClient {
  const ownAgent = options.httpAgent === null ? new Agent({ keepAlive: true }) : null;
  const agent = options.httpAgent ?? ownAgent!;
  const app: App = initializeApp(
    {
      credential: new ServiceAccountCredential(options.serviceAccount, agent, options.timeoutMs),
      projectId: options.projectId,
      httpAgent: agent,
    },
    `sitemsg-fcm-${options.alias}-${++apps}`,
  );
  const messaging = getMessaging(app);
  turnOffSdkRetries(messaging);
  let closing: Promise<void> | null = null;
  return {
    messaging,
    close() {
      closing ??= deleteApp(app).then(() => {
        ownAgent?.destroy();
      });
      return closing;
    },
  };
}

/** The HTTP/1.1 client behind `messaging.send()` (firebase-admin 13: `messagingRequestHandler.httpClient`). */
interface SdkInternals {
  readonly messagingRequestHandler?: { readonly httpClient?: { retry?: unknown } };
}

function turnOffSdkRetries(messaging: Messaging): void {
  const client = (messaging as unknown as SdkInternals).messagingRequestHandler?.httpClient;
  if (!client || typeof client.retry !== 'object' || client.retry === null) {
    throw new ConfigurationError(
      '[fcm] this firebase-admin version keeps its HTTP retry setting elsewhere: @sitemsg/messenger-fcm supports firebase-admin 13; install the version its package.json names.',
    );
  }
  client.retry = SDK_RETRY;
}

/** firebase-admin's RetryConfig: one immediate retry of a reset connection, nothing else. */
const SDK_RETRY = {
  maxRetries: 1,
  statusCodes: [],
  ioErrorCodes: ['ECONNRESET'],
  backOffFactor: 0,
  maxDelayInMillis: 0,
};
