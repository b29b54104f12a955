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
} from '@sitemsg/core/plugin';
import type { TokenMessage, TopicMessage } from 'firebase-admin/messaging';
import { isRegistrationToken, tokensFromField } from './address.js';
import { FcmDeliveryError } from './errors.js';
import { createFcmClient, type FcmClient } from './fcm-app.js';
import { type FcmAnswer, withExchange } from './fcm-exchange.js';
import { buildFcmMessage, checkPush } from './fcm-message.js';
import { classifyFailure, type FcmFailure } from './fcm-outcome.js';
import { type FcmMessengerOptions, type ResolvedFcmOptions, resolveOptions } from './options.js';

/**
 * What a sent dispatch's result carries: `providerMessageId` is FCM's message name
 * (`projects/{id}/messages/{message_id}`), kept on the dispatch.
 */
export interface FcmSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
}

/** The topic the health check's dry run addresses (validate_only: nothing is delivered). */
export const HEALTH_CHECK_TOPIC = 'sitemsg-health-check';

/**
 * Push notifications through Firebase Cloud Messaging's HTTP v1 API (firebase-admin's
 * `messaging.send()`, one request per registration token as FCM v1 takes them, a bounded number in
 * flight per batch). A user's addresses are their device tokens; FCM's answer that a token is
 * dead (UNREGISTERED, an invalid token, another sender's token) is address-invalid feedback, so
 * the engine suppresses it and calls `onAddressInvalid`.
 */
export class FcmMessenger extends Messenger {
  static override alias: string = 'fcm';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the key.
  readonly #settings: ResolvedFcmOptions;
  readonly #client: FcmClient;
  readonly #health: HealthCache;

  constructor(options: FcmMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    this.#client = createFcmClient({
      alias: this.alias,
      serviceAccount: settings.serviceAccount,
      projectId: settings.projectId,
      httpAgent: settings.httpAgent,
      timeoutMs: settings.timeoutMs,
    });
    this.#health = new HealthCache(settings.healthCacheMs, settings.clock);
  }

  /** The Firebase project messages are sent for. */
  get projectId(): string {
    return this.#settings.projectId;
  }

  protected override addressesFromUser(user: SitemsgUser): readonly string[] {
    return tokensFromField(user[this.#settings.tokensField]);
  }

  override validateAddress(address: string): boolean {
    return isRegistrationToken(address);
  }

  /** A push over FCM's 4 KB, with a reserved data key, an out-of-range TTL or nothing to show cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    return checkPush(pushPayload(compiled));
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    // After refused credentials, a rate limit or an unreachable FCM, the rest is not tried.
    const results = await sendEach(batch, {
      concurrency: this.#settings.concurrency,
      deliver: (item) => this.deliver(item),
    });
    this.reportConfiguration(results);
    return results;
  }

  override async close(): Promise<void> {
    await this.#client.close();
  }

  /**
   * A dry run (`validate_only`) of a data message to a topic: healthy when FCM accepts the access
   * token and the service account may send for the project, without delivering anything. Answers
   * are cached (`healthCacheMs`); a send refused for the configuration turns it unhealthy at once,
   * an accepted one healthy.
   */
  override healthCheck(): Promise<HealthStatus> {
    return this.#health.get(async () => {
      const probe: TopicMessage = { topic: HEALTH_CHECK_TOPIC, data: { sitemsg: 'health-check' } };
      const { exchange, outcome } = await withExchange(() => this.#client.messaging.send(probe, true));
      if (outcome.status === 'fulfilled') return { status: 'healthy' };
      const { error } = this.classify(outcome.reason, await exchange.answer());
      const down = error.configuration || error.statusCode === undefined;
      return { status: down ? 'unhealthy' : 'degraded', detail: error.message };
    });
  }

  private async deliver(item: OutgoingDispatch): Promise<Result<FcmSentReceipt, FcmFailure>> {
    const token = item.dispatch.address;
    if (!isRegistrationToken(token)) {
      const error = new FcmDeliveryError(
        `[${this.alias}] "${token.slice(0, 40)}" is not an FCM registration token; not sent.`,
        { retryable: false, feedback: 'address-invalid' },
      );
      return err({ error, stopBatch: false });
    }
    const message: TokenMessage = buildFcmMessage(
      token,
      pushPayload(item.compiled),
      this.#settings.clock.now(),
    );
    const { exchange, outcome } = await withExchange(() => this.#client.messaging.send(message));
    if (outcome.status === 'fulfilled') {
      this.#health.observe({ status: 'healthy' });
      return ok({ providerMessageId: outcome.value });
    }
    return err(this.classify(outcome.reason, await exchange.answer()));
  }

  private classify(thrown: unknown, answer: FcmAnswer | null): FcmFailure {
    return classifyFailure(thrown, answer, { alias: this.alias, now: this.#settings.clock.now() });
  }

  /** Refused credentials stop all messages: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof FcmDeliveryError) || !result.error.configuration) continue;
      const { message, statusCode, providerCode } = result.error;
      this.#health.observe({ status: 'unhealthy', detail: message });
      this.#settings.logger.error?.(message, { messenger: this.alias, statusCode, providerCode });
      return;
    }
  }
}
