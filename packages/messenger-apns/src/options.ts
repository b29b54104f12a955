/** ApnsMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type Clock,
  ConfigurationError,
  checkOptionNames,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';

/** The push types this messenger sends (`apns-push-type`); each has its own topic and payload rules. */
export const APNS_PUSH_TYPES = ['alert', 'background', 'voip'] as const;
export type ApnsPushType = (typeof APNS_PUSH_TYPES)[number];

/** Which APNs servers: production (`api.push.apple.com`) or sandbox (`api.sandbox.push.apple.com`). */
export type ApnsEnvironment = 'production' | 'sandbox';

/** APNs's own hosts, chosen by `environment` unless `address` says otherwise. */
export const APNS_HOSTS: Readonly<Record<ApnsEnvironment, string>> = {
  production: 'api.push.apple.com',
  sandbox: 'api.sandbox.push.apple.com',
};

export interface ApnsMessengerOptions extends MessengerOptions {
  /**
   * The token signing key: the contents of the `.p8` file (`-----BEGIN PRIVATE KEY-----...`).
   * Give `key` or `keyFile`. Never logged, never in an error message.
   */
  readonly key?: string;
  /** The path of the `.p8` file, read once at construction. */
  readonly keyFile?: string;
  /** The key's 10-character Key ID (Certificates, Identifiers & Profiles > Keys). */
  readonly keyId: string;
  /** The 10-character Team ID of the developer account the key belongs to. */
  readonly teamId: string;
  /** The app's bundle id (`com.example.shop`): `apns-topic`, with `.voip` added for VoIP pushes. */
  readonly topic: string;
  /**
   * `sandbox` for apps signed for development (Xcode builds), `production` for TestFlight and the
   * App Store. A token of the other environment is refused as `BadDeviceToken`: one messenger per
   * environment (e.g. aliases `apns` and `apns_sandbox`).
   */
  readonly environment: ApnsEnvironment;
  /** `alert` (shown to the user; default), `background` (wakes the app silently) or `voip` (PushKit). */
  readonly pushType?: ApnsPushType;
  /**
   * `apns-priority` of a push whose payload does not say (`priority: 'high'` is 10, `'normal'` 5):
   * 10 sends at once, 5 as the device's power allows, 1 never wakes it. Default 10; background
   * pushes are always sent with 5, as Apple requires.
   */
  readonly priority?: 10 | 5 | 1;
  /**
   * How long APNs keeps a push for an offline device, for payloads without `ttlSeconds`
   * (`apns-expiration` = now + this). 0 means deliver once, never store. Default: no header.
   */
  readonly ttlSeconds?: number;
  /** The user field holding the user's device tokens (a token or an array of them). Default `apnsTokens`. */
  readonly tokensField?: string;
  /** The APNs host. Default: Apple's host for `environment`; a local server in tests. */
  readonly address?: string;
  /** The APNs port. Default 443 (Apple also listens on 2197). */
  readonly port?: number;
  /** Certificates to trust for `address` (PEM), instead of the system's: for a local server in tests. */
  readonly ca?: string | readonly string[];
  /** Timeout of each request, in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once over the connection (HTTP/2 streams). Default 32. */
  readonly concurrency?: number;
  /** How long a health check's answer is reused, in milliseconds. Default 60 000; 0 asks APNs every time. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (refused credentials or topic) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for `apns-expiration` and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedApnsOptions {
  /** The signing key as PEM text. */
  readonly key: string;
  readonly keyId: string;
  readonly teamId: string;
  readonly topic: string;
  readonly environment: ApnsEnvironment;
  readonly pushType: ApnsPushType;
  readonly priority: 10 | 5 | 1;
  readonly ttlSeconds: number | null;
  readonly tokensField: string;
  readonly address: string;
  readonly port: number;
  readonly ca: readonly string[] | null;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

const KNOWN = new Set([
  'key',
  'keyFile',
  'keyId',
  'teamId',
  'topic',
  'environment',
  'pushType',
  'priority',
  'ttlSeconds',
  'tokensField',
  'address',
  'port',
  'ca',
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
  token: 'give key (or keyFile), keyId and teamId as options of their own',
  signingKey: 'did you mean key?',
  keyPath: 'did you mean keyFile?',
  bundleId: 'did you mean topic? (the bundle id)',
  production: 'say environment: "production" or "sandbox"',
  sandbox: 'say environment: "production" or "sandbox"',
  cert: 'certificate-based connections are not supported: use a token signing key (key, keyId, teamId)',
  pfx: 'certificate-based connections are not supported: use a token signing key (key, keyId, teamId)',
  host: 'did you mean address?',
  timeout: 'did you mean timeoutMs? (milliseconds)',
  expiry: 'did you mean ttlSeconds?',
};

/** Validates every option; messages never quote the key. */
export function resolveOptions(options: ApnsMessengerOptions): ResolvedApnsOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[apns] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  checkOptionNames(options, { prefix: 'apns', known: KNOWN, hints: MISPLACED });
  const key = signingKey(options, fail);
  const { keyId, teamId, topic } = options;
  if (typeof keyId !== 'string' || !/^[A-Z0-9]{10}$/.test(keyId)) {
    fail('keyId must be the 10-character Key ID of the signing key (letters and digits).');
  }
  if (typeof teamId !== 'string' || !/^[A-Z0-9]{10}$/.test(teamId)) {
    fail('teamId must be the 10-character Team ID of the developer account (letters and digits).');
  }
  if (typeof topic !== 'string' || !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(topic)) {
    fail('topic must be the app\'s bundle id, like "com.example.shop".');
  }
  if (topic.endsWith('.voip')) {
    fail('topic must be the bundle id itself: ".voip" is added for pushType "voip".');
  }
  const environment = options.environment;
  if (environment !== 'production' && environment !== 'sandbox') {
    fail(
      'environment must be "production" (TestFlight, App Store) or "sandbox" (development builds): a token of the other one is refused as BadDeviceToken.',
    );
  }
  const pushType = options.pushType ?? 'alert';
  if (!(APNS_PUSH_TYPES as readonly string[]).includes(pushType)) {
    fail(`pushType must be one of ${APNS_PUSH_TYPES.join(', ')} (got ${JSON.stringify(pushType)}).`);
  }
  const priority = options.priority ?? 10;
  if (priority !== 10 && priority !== 5 && priority !== 1) fail('priority must be 10, 5 or 1.');
  const ttlSeconds = options.ttlSeconds ?? null;
  if (ttlSeconds !== null && !isTtl(ttlSeconds))
    fail('ttlSeconds must be an integer from 0 to 2,592,000 (30 days).');
  const tokensField = options.tokensField ?? 'apnsTokens';
  if (typeof tokensField !== 'string' || tokensField === '')
    fail('tokensField must be the name of a user field.');
  const address = options.address ?? APNS_HOSTS[environment];
  if (typeof address !== 'string' || !/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(address)) {
    fail(
      `address must be a host name or IP address, without scheme or port (got ${JSON.stringify(address)}).`,
    );
  }
  const port = options.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail('port must be an integer from 1 to 65535.');
  const ca =
    options.ca === undefined ? null : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  if (
    ca !== null &&
    (ca.length === 0 || !ca.every((c) => typeof c === 'string' && c.includes('-----BEGIN')))
  ) {
    fail('ca must be one or more PEM certificates.');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail('timeoutMs must be a positive integer.');
  const concurrency = options.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    fail('concurrency must be an integer from 1 to 1000.');
  }
  const healthCacheMs = options.healthCacheMs ?? 60_000;
  if (!Number.isInteger(healthCacheMs) || healthCacheMs < 0)
    fail('healthCacheMs must be 0 or more milliseconds.');
  return {
    key,
    keyId,
    teamId,
    topic,
    environment,
    pushType,
    priority,
    ttlSeconds,
    tokensField,
    address,
    port,
    ca,
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

/** The `.p8` key as PEM text, checked to be the P-256 private key APNs tokens are signed with (ES256). */
function signingKey(options: ApnsMessengerOptions, fail: (what: string) => never): string {
  const { key, keyFile } = options;
  if (key !== undefined && keyFile !== undefined) fail('give key or keyFile, not both.');
  let pem: string;
  if (keyFile !== undefined) {
    if (typeof keyFile !== 'string' || keyFile === '') fail('keyFile must be the path of the .p8 file.');
    try {
      pem = readFileSync(keyFile, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return fail(
        `keyFile ${JSON.stringify(keyFile)} could not be read (${typeof code === 'string' ? code : 'error'}).`,
      );
    }
  } else if (typeof key === 'string' && key.trim() !== '') {
    // An environment variable often carries the PEM's line breaks as the two characters "\n".
    pem = key.includes('\n') ? key : key.replace(/\\n/g, '\n');
  } else {
    return fail('key (the contents of the .p8 file) or keyFile (its path) is required.');
  }
  let details: { type?: string; curve?: string };
  try {
    const parsed = createPrivateKey(pem);
    details = { type: parsed.asymmetricKeyType, curve: parsed.asymmetricKeyDetails?.namedCurve };
  } catch {
    return fail(
      `${keyFile === undefined ? 'key' : 'keyFile'} is not a PEM private key: use the .p8 file from Apple as it is.`,
    );
  }
  if (details.type !== 'ec' || details.curve !== 'prime256v1') {
    fail(
      `${keyFile === undefined ? 'key' : 'keyFile'} must be an APNs signing key (.p8, an elliptic-curve P-256 key).`,
    );
  }
  return pem;
}

function isTtl(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2_592_000;
}
