/**
 * The base of an SMS messenger whose provider takes one recipient per request (Twilio, Vonage):
 * the `sms` medium (a STOP through one provider suppresses the number on all), phone numbers from
 * a user field normalised at scheduling, the segment limit, the send loop that stops a batch after
 * a provider-level failure and reports a refused configuration once, the cached health check, and
 * the status callback URL (the option, else the engine's webhook route). A subclass says how to
 * read an address, deliver one message and check the account.
 */
import {
  type CompiledMessage,
  type DispatchResult,
  type EachFailure,
  err,
  HealthCache,
  type HealthStatus,
  Messenger,
  type OutgoingDispatch,
  ok,
  type Result,
  type SentReceipt,
  type SitemsgUser,
  sendEach,
  smsPayload,
  ValidationError,
} from '@sitemsg/core/plugin';
import { SmsDeliveryError } from './sms-delivery-error.js';
import type { ResolvedSmsOptions } from './sms-options.js';
import { type SmsTextLimits, smsTextProblem } from './sms-text.js';

/** A failed delivery: a DeliveryError that may name a refused configuration, and whether the batch stops. */
export interface SmsFailure extends EachFailure {
  readonly error: SmsDeliveryError;
}

export abstract class SmsMessenger extends Messenger {
  /** SMS: suppressions from feedback hold on every SMS messenger. */
  override readonly medium: string | undefined = 'sms';
  readonly #sms: ResolvedSmsOptions;
  readonly #limits: SmsTextLimits;
  readonly #health: HealthCache;

  protected constructor(sms: ResolvedSmsOptions, limits: Omit<SmsTextLimits, 'maxSegments'> = {}) {
    super(sms.messenger);
    this.#sms = sms;
    this.#limits = { ...limits, maxSegments: sms.maxSegments };
    this.#health = new HealthCache(sms.healthCacheMs, sms.clock);
  }

  /** An address as this provider's dispatches store it (E.164, or a prefixed form), or undefined when it is none. */
  protected abstract normalize(address: string): string | undefined;

  /** How a valid address is written, for the error that refuses an invalid one. */
  protected abstract describeAddresses(): string;

  /** Sends one message (one request); expected failures are values. */
  protected abstract deliver(item: OutgoingDispatch): Promise<Result<SentReceipt, SmsFailure>>;

  /** Asks the provider whether the account can send (called at most once per `healthCacheMs`). */
  protected abstract checkAccount(): Promise<HealthStatus>;

  /** The shared options, as validated. */
  protected get smsOptions(): ResolvedSmsOptions {
    return this.#sms;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    const value = user[this.#sms.phoneField];
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    // An invalid number is returned as it is, so that scheduling refuses it with a ValidationError.
    return this.normalize(value) ?? value;
  }

  override validateAddress(address: string): boolean {
    return this.normalize(address) !== undefined;
  }

  /** Raw numbers are stored normalised, so that suppressions and callbacks match them. */
  override resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    if (typeof recipient !== 'string') return super.resolveAddresses(recipient);
    const normalized = this.normalize(recipient);
    if (normalized !== undefined) return ok([normalized]);
    const region = this.#sms.defaultRegion;
    return err(
      new ValidationError(
        `[${this.alias}] "${recipient}" is not a valid phone number: use ${this.describeAddresses()}${region ? `, or a ${region} number` : ''}.`,
        { code: 'BAD_ADDRESS' },
      ),
    );
  }

  /** An empty text, or one over the segment (or the provider's character) limit, cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    return smsTextProblem(smsPayload(compiled).text, this.#limits);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    // After refused credentials, a rate limit or an unreachable API, the rest is not tried.
    const results = await sendEach(batch, {
      concurrency: this.#sms.concurrency,
      deliver: (item) => this.deliver(item),
    });
    this.reportConfiguration(results);
    return results;
  }

  /**
   * The provider's account check, cached for `healthCacheMs`; a send refused for the configuration
   * turns it unhealthy at once, an accepted one healthy.
   */
  override healthCheck(): Promise<HealthStatus> {
    return this.#health.get(() => this.checkAccount());
  }

  /** Tells the health cache what a request showed (an accepted message: healthy). */
  protected observeHealth(status: HealthStatus): void {
    this.#health.observe(status);
  }

  /**
   * Where the provider should post this message's status: the option, else the engine's route for
   * `provider` (`{siteUrl}{linkBasePath}/webhooks/{provider}`, express-views' mount), else none.
   */
  protected statusCallbackUrl(provider: string): string | null {
    const { statusCallbackUrl } = this.#sms;
    if (statusCallbackUrl === false) return null;
    return statusCallbackUrl ?? this.engine.webhookUrl(provider);
  }

  /** Refused credentials stop all messages: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof SmsDeliveryError) || !result.error.configuration) continue;
      const { message, statusCode, providerCode } = result.error;
      if (statusCode !== undefined) this.#health.observe({ status: 'unhealthy', detail: message });
      this.#sms.logger.error?.(message, { messenger: this.alias, statusCode, providerCode });
      return;
    }
  }
}
