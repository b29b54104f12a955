import {
  type CompiledMessage,
  type DispatchResult,
  err,
  HealthCache,
  type HealthStatus,
  Messenger,
  type OutgoingDispatch,
  ok,
  pushPayload,
  type Result,
  type SentReceipt,
  type SitemsgUser,
  sendEach,
  ValidationError,
} from '@sitemsg/core/plugin';
import webpush from 'web-push';
import { parseSubscription, storedSubscription } from './address.js';
import { WebPushDeliveryError } from './errors.js';
import { type ResolvedWebPushOptions, resolveOptions, type WebPushMessengerOptions } from './options.js';
import {
  deliveryHeaders,
  encodeNotification,
  MAX_PAYLOAD_BYTES,
  notificationFor,
  payloadProblem,
} from './payload.js';
import { classifyFailure, type WebPushFailure } from './webpush-outcome.js';

/**
 * What a sent dispatch's result carries. `providerMessageId` is the push message resource the push
 * service created (its `Location` header, RFC 8030 §5), when it gave one.
 */
export interface WebPushSentReceipt extends SentReceipt {
  readonly providerMessageId?: string;
  /** The push service's answer: 201 Created (RFC 8030), or another 2xx. */
  readonly statusCode: number;
}

/** The audience a health check signs a token for: any origin does, the signature is what is checked. */
const HEALTH_AUDIENCE = 'https://push.sitemsg.invalid';

const RANK: Readonly<Record<HealthStatus['status'], number>> = { healthy: 0, degraded: 1, unhealthy: 2 };

/**
 * Standards-based Web Push (RFC 8030, payloads encrypted with aes128gcm per RFC 8291, VAPID per
 * RFC 8292) through the `web-push` package, one request per subscription. Addresses are push
 * subscriptions (what `PushSubscription.toJSON()` gives) stored as canonical JSON strings; a user
 * has as many as browsers they allowed notifications in.
 */
export class WebPushMessenger extends Messenger {
  static override alias: string = 'webpush';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the private key.
  readonly #settings: ResolvedWebPushOptions;
  readonly #health: HealthCache;
  /** What the last batch learnt about push services (VAPID refused, unreachable); null after an accepted push. */
  #learnt: HealthStatus | null = null;
  /** What every request takes alike, built once. */
  readonly #request: {
    readonly vapidDetails: { subject: string; publicKey: string; privateKey: string };
    readonly timeoutMs: number;
    readonly agent: ResolvedWebPushOptions['agent'];
  };

  constructor(options: WebPushMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    this.#health = new HealthCache(settings.healthCacheMs, settings.clock);
    const { subject, publicKey, privateKey } = settings.vapid;
    this.#request = {
      vapidDetails: { subject, publicKey, privateKey },
      timeoutMs: settings.timeoutMs,
      agent: settings.agent,
    };
  }

  /** The VAPID public key: what pages pass to `pushManager.subscribe({ applicationServerKey })`. */
  get vapidPublicKey(): string {
    return this.#settings.vapid.publicKey;
  }

  /** Every subscription in the user's field (an array, or one), as stored: validated by `resolveAddresses`. */
  protected override addressesFromUser(user: SitemsgUser): readonly string[] {
    return this.userSubscriptions(user).map((value) => {
      const parsed = parseSubscription(value, this.#settings.pushServiceHosts);
      return parsed.ok ? parsed.value.address : typeof value === 'string' ? value : JSON.stringify(value);
    });
  }

  override validateAddress(address: string): boolean {
    return parseSubscription(address, this.#settings.pushServiceHosts).ok;
  }

  /**
   * A user's subscriptions, or a raw one, as canonical addresses (one per endpoint). A subscription
   * that is not usable — not JSON, no https endpoint, an endpoint outside `pushServiceHosts`, keys
   * of the wrong size or off the curve — is a ValidationError saying which and why (never quoting
   * the keys); a user with no subscriptions has no address here, which is not an error.
   */
  override resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    const values = typeof recipient === 'string' ? [recipient] : this.userSubscriptions(recipient);
    const byEndpoint = new Map<string, string>();
    for (const [i, value] of values.entries()) {
      const parsed = parseSubscription(value, this.#settings.pushServiceHosts);
      if (!parsed.ok) {
        const which =
          typeof recipient === 'string'
            ? 'this address is not a push subscription'
            : `subscription ${i + 1} in user ${String(recipient.id)}'s ${this.#settings.subscriptionsField} is not usable`;
        return err(
          new ValidationError(`[${this.alias}] ${which}: ${parsed.problem}.`, { code: 'BAD_ADDRESS' }),
        );
      }
      if (!byEndpoint.has(parsed.value.endpoint)) byEndpoint.set(parsed.value.endpoint, parsed.value.address);
    }
    return ok([...byEndpoint.values()]);
  }

  /** A push payload over 3,993 bytes of JSON (4,096 encrypted), or with nothing to show, cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    return payloadProblem(compiled);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    // Push services that refused VAPID, rate-limited or could not be reached get no more requests
    // from this batch; subscriptions at other push services still go.
    const stopped = new Map<string, WebPushDeliveryError>();
    const results = await sendEach(batch, {
      concurrency: this.#settings.concurrency,
      deliver: (item) => this.deliver(item, stopped),
    });
    this.learnHealth(results);
    return results;
  }

  /**
   * Healthy when the VAPID keys can sign a token (checked once per `healthCacheMs`) and the last
   * batch found nothing wrong. Web Push has no account to ask — each subscription names its own
   * push service — so what sends learn counts until a later send says otherwise: VAPID refused
   * (401/403) is unhealthy, a push service out of reach degraded, an accepted push clears it.
   */
  override async healthCheck(): Promise<HealthStatus> {
    const keys = await this.signingCheck();
    const learnt = this.#learnt;
    return learnt !== null && RANK[learnt.status] > RANK[keys.status] ? learnt : keys;
  }

  private signingCheck(): Promise<HealthStatus> {
    return this.#health.get(async () => {
      try {
        const { subject, publicKey, privateKey } = this.#settings.vapid;
        webpush.getVapidHeaders(HEALTH_AUDIENCE, subject, publicKey, privateKey, 'aes128gcm');
        return { status: 'healthy' };
      } catch (thrown) {
        const why = thrown instanceof Error ? thrown.message : String(thrown);
        const safe = why.split(this.#settings.vapid.privateKey).join('[redacted]');
        return { status: 'unhealthy', detail: `the VAPID keys cannot sign a token: ${safe}` };
      }
    });
  }

  private async deliver(
    item: OutgoingDispatch,
    stopped: Map<string, WebPushDeliveryError>,
  ): Promise<Result<WebPushSentReceipt, { error: WebPushDeliveryError; stopBatch: false }>> {
    const subscription = storedSubscription(item.dispatch.address, this.#settings.pushServiceHosts);
    if (subscription === null) {
      const parsed = parseSubscription(item.dispatch.address, this.#settings.pushServiceHosts);
      const why = parsed.ok ? 'it is not in the form scheduling stores' : parsed.problem;
      const error = new WebPushDeliveryError(
        `[${this.alias}] the dispatch's address is not a usable push subscription (${why}); not sent.`,
        { retryable: false },
      );
      return err({ error, stopBatch: false });
    }
    const refused = stopped.get(subscription.origin);
    if (refused) return err({ error: refused, stopBatch: false });
    const notification = notificationFor(item.compiled, item.dispatch.id);
    const payload = encodeNotification(notification);
    if (payload.length > MAX_PAYLOAD_BYTES) {
      const error = new WebPushDeliveryError(
        `[${this.alias}] the push payload is ${payload.length} bytes of JSON and Web Push carries at most ${MAX_PAYLOAD_BYTES}; not sent.`,
        { retryable: false },
      );
      return err({ error, stopBatch: false });
    }
    try {
      const answer = await webpush.sendNotification(
        subscription,
        payload,
        this.requestOptions(item.compiled),
      );
      const location = answer.headers?.location;
      return ok({
        statusCode: answer.statusCode,
        ...(typeof location === 'string' && location !== '' && { providerMessageId: location }),
      });
    } catch (thrown) {
      const failure = this.classify(thrown, subscription.origin);
      if (failure.stopsPushService && !stopped.has(subscription.origin)) {
        stopped.set(subscription.origin, failure.error);
      }
      return err({ error: failure.error, stopBatch: false });
    }
  }

  private requestOptions(compiled: CompiledMessage): webpush.RequestOptions {
    const { vapidDetails, timeoutMs, agent } = this.#request;
    const headers = deliveryHeaders(pushPayload(compiled), this.#settings);
    const options: webpush.RequestOptions = {
      vapidDetails,
      TTL: headers.TTL,
      urgency: headers.urgency,
      timeout: timeoutMs,
    };
    if (headers.topic !== undefined) options.topic = headers.topic;
    if (agent !== undefined) options.agent = agent;
    return options;
  }

  private userSubscriptions(user: SitemsgUser): readonly unknown[] {
    const value = user[this.#settings.subscriptionsField];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
  }

  private classify(thrown: unknown, origin: string): WebPushFailure {
    return classifyFailure(thrown, {
      alias: this.alias,
      host: origin.slice('https://'.length),
      now: this.#settings.clock.now(),
    });
  }

  /**
   * What a batch showed about this server's standing with push services: VAPID refused (logged
   * once per batch, in words that name no key) is unhealthy, a push service out of reach degraded,
   * an accepted push healthy.
   */
  private learnHealth(results: readonly DispatchResult[]): void {
    let refused: WebPushDeliveryError | null = null;
    let unreachable: WebPushDeliveryError | null = null;
    let accepted = false;
    for (const { result } of results) {
      if (result.ok) {
        accepted = true;
        continue;
      }
      const error = result.error;
      if (!(error instanceof WebPushDeliveryError)) continue;
      if (error.configuration) refused ??= error;
      else if (error.retryable && error.statusCode === undefined) unreachable ??= error;
    }
    if (refused) {
      this.#learnt = { status: 'unhealthy', detail: refused.message };
      this.#settings.logger.error?.(refused.message, {
        messenger: this.alias,
        statusCode: refused.statusCode,
      });
    } else if (unreachable) {
      this.#learnt = { status: 'degraded', detail: unreachable.message };
    } else if (accepted) {
      this.#learnt = null;
    }
  }
}
