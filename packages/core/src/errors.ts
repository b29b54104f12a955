/**
 * sitemsg's typed errors. Every error carries a stable UPPER_SNAKE `code` (documented in
 * docs/errors.md) and keeps its `cause`. `isInstance` checks a `Symbol.for` marker so that the
 * check still works when two copies of @sitemsg/core are installed side by side.
 */
/** One global marker per error class name: `ValidationError.isInstance(e)` survives duplicate installs. */
const markerFor = (className: string): symbol => Symbol.for(`@sitemsg/core/error/${className}`);

export interface SitemsgErrorOptions {
  cause?: unknown;
}

export class SitemsgError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: SitemsgErrorOptions = {}) {
    super(message.startsWith('[sitemsg]') ? message : `[sitemsg] ${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      Object.defineProperty(this, markerFor((c as { name: string }).name), { value: true });
    }
  }

  /** Like `instanceof`, but also true for errors thrown by another installed copy of @sitemsg/core. */
  static isInstance<T extends SitemsgError>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[markerFor(this.name)] === true
    );
  }
}

/** The application wired sitemsg wrongly (missing secret, duplicate alias, bad option): fix the setup. */
export class ConfigurationError extends SitemsgError {
  constructor(message: string, options?: SitemsgErrorOptions) {
    super('CONFIGURATION_ERROR', message, options);
  }
}

/** The caller passed bad input (empty recipients, non-JSON context, bad address): fix the call. */
export class ValidationError extends SitemsgError {
  constructor(message: string, options?: SitemsgErrorOptions & { code?: string }) {
    super(options?.code ?? 'VALIDATION_ERROR', message, options);
  }
}

export class UnknownMessengerError extends ValidationError {
  readonly alias: string;
  constructor(alias: string) {
    super(
      `Unknown messenger "${alias}": register it with registerMessengerObjects() or createSitemsg({ messengers }).`,
      {
        code: 'UNKNOWN_MESSENGER',
      },
    );
    this.alias = alias;
  }
}

export class UnknownMessageTypeError extends ValidationError {
  readonly alias: string;
  constructor(alias: string) {
    super(
      `Unknown message type "${alias}": register it with registerMessageTypes() or createSitemsg({ messageTypes }).`,
      {
        code: 'UNKNOWN_MESSAGE_TYPE',
      },
    );
    this.alias = alias;
  }
}

/** Options of a StoreError: whether the store could not be reached at all. */
export interface StoreErrorOptions extends SitemsgErrorOptions {
  /** See `StoreError.unavailable`. Default false. */
  unavailable?: boolean;
}

/** A store could not read or write (connection lost, constraint broken). Usually worth retrying. */
export class StoreError extends SitemsgError {
  /**
   * True when the store could not be reached (a dropped connection, a server shutting down, no
   * connection free in time): the same write may well succeed later. False when the store answered
   * and refused it. The engine never records an outcome as refused on an unavailable store's word.
   */
  readonly unavailable: boolean;

  constructor(message: string, options: StoreErrorOptions = {}) {
    super('STORE_ERROR', message, options);
    this.unavailable = options.unavailable === true;
  }
}

/** A signed link (unsubscribe, mark read) was forged, altered or expired. */
export class SignatureError extends SitemsgError {
  constructor(message: string, options?: SitemsgErrorOptions) {
    super('SIGNATURE_ERROR', message, options);
  }
}

/** A messenger failed as a whole (not one recipient): misconfiguration, an SDK crash. */
export class MessengerError extends SitemsgError {
  readonly messenger: string;
  constructor(messenger: string, message: string, options?: SitemsgErrorOptions & { code?: string }) {
    super(options?.code ?? 'MESSENGER_ERROR', `[sitemsg] [${messenger}] ${message}`, options);
    this.messenger = messenger;
  }
}

/** A messenger could not get ready for a batch (login, connection): the whole batch is retried later. */
export class MessengerWarmupError extends MessengerError {
  constructor(messenger: string, message: string, options?: SitemsgErrorOptions) {
    super(messenger, message, { ...options, code: 'MESSENGER_WARMUP_ERROR' });
  }
}

/** What a DeliveryError may carry besides its classification. */
export interface DeliveryErrorDetails extends SitemsgErrorOptions {
  /** The provider asked to wait this long before retrying (Retry-After); the engine honours it. */
  retryAfterMs?: number;
  providerCode?: string;
  responseBody?: string;
  /**
   * What the answer says about the address, when it says something (FCM's UNREGISTERED, an SMS
   * recipient who replied STOP): the engine records it as delivery feedback on the dispatch, with
   * `providerCode`, and applies the suppression policy, as if a webhook had reported it.
   */
  feedback?: DeliveryFeedback;
}

/** Feedback a messenger's answer carries: a kind, or a bounce with its type. */
export type DeliveryFeedback =
  | 'complained'
  | 'opted-out'
  | 'address-invalid'
  | { readonly kind: 'bounced'; readonly bounce: 'hard' | 'soft' };

/**
 * A DeliveryError's options must classify it: `retryable` says so outright; a `statusCode` alone
 * is classified by the shared default (`isRetryableStatus`). An unclassified error used to retry,
 * so a forgotten `{ retryable: false }` cost ten attempts of a permanent failure.
 */
export type DeliveryErrorOptions = DeliveryErrorDetails &
  ({ retryable: boolean; statusCode?: number } | { statusCode: number; retryable?: boolean });

const MAX_BODY = 500;

/**
 * One recipient's delivery failed. Travels inside a Result outcome and is never thrown for one
 * recipient: a bad address fails its own dispatch, not the batch. Build it with
 * `DeliveryError.permanent()` / `DeliveryError.retryable()`, or pass `retryable` or `statusCode`.
 */
export class DeliveryError extends SitemsgError {
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly providerCode: string | undefined;
  readonly responseBody: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly feedback: DeliveryFeedback | undefined;

  constructor(message: string, options: DeliveryErrorOptions) {
    super('DELIVERY_ERROR', message, options);
    const { retryable, statusCode } = (options ?? {}) as Partial<DeliveryErrorOptions>;
    if (retryable !== undefined && typeof retryable !== 'boolean') {
      throw new ConfigurationError(
        `[sitemsg] DeliveryError: retryable must be true or false (got ${JSON.stringify(retryable)}).`,
      );
    }
    if (statusCode !== undefined && !Number.isInteger(statusCode)) {
      throw new ConfigurationError(
        `[sitemsg] DeliveryError: statusCode must be an integer (got ${JSON.stringify(statusCode)}).`,
      );
    }
    if (retryable === undefined && statusCode === undefined) {
      throw new ConfigurationError(
        `[sitemsg] new DeliveryError(${JSON.stringify(message.slice(0, 80))}) does not say whether a later attempt may succeed: pass { retryable: true | false } (or use DeliveryError.retryable() / DeliveryError.permanent()), or the provider's { statusCode } to apply the shared default (408/409/429/5xx retry, other 4xx are permanent).`,
      );
    }
    this.retryAfterMs = options.retryAfterMs;
    this.feedback = options.feedback;
    this.statusCode = statusCode;
    this.providerCode = options.providerCode;
    this.responseBody = options.responseBody?.slice(0, MAX_BODY);
    this.retryable = retryable ?? isRetryableStatus(statusCode);
  }

  /** A failure that will not get better by retrying (invalid address, refused content): the dispatch fails now. */
  static permanent(
    message: string,
    options: DeliveryErrorDetails & { statusCode?: number } = {},
  ): DeliveryError {
    return new DeliveryError(message, { ...options, retryable: false });
  }

  /** A failure a later attempt may get past (timeout, 4xx/5xx "try later"): retried with back-off. */
  static retryable(
    message: string,
    options: DeliveryErrorDetails & { statusCode?: number } = {},
  ): DeliveryError {
    return new DeliveryError(message, { ...options, retryable: true });
  }
}

/** The shared default: 408/409/429/5xx and no status at all (network) retry; other 4xx are permanent. */
export function isRetryableStatus(statusCode: number | undefined): boolean {
  if (statusCode === undefined) return true;
  if (statusCode === 408 || statusCode === 409 || statusCode === 429) return true;
  return statusCode >= 500 || statusCode < 400;
}

/** A short, single-line description of anything thrown, for logs and dispatch error rows. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
