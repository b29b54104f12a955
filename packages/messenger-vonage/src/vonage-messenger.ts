import {
  type CompiledMessage,
  type DispatchResult,
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
import { Vonage } from '@vonage/server-sdk';
import { parsePhoneNumber, vonageNumber } from './address.js';
import { VonageDeliveryError } from './errors.js';
import { type ResolvedVonageOptions, resolveOptions, type VonageMessengerOptions } from './options.js';
import { countSegments, encodingOf, type SmsEncoding } from './segments.js';
import { httpFailure, statusFailure, type VonageFailure } from './vonage-outcome.js';

/**
 * What a sent dispatch's result carries. `providerMessageId` is the `message-id` of the first part;
 * every part's delivery receipt also carries the dispatch id as `client-ref`, which the webhook maps
 * back with. `segments` is Vonage's `message-count`: the parts it bills.
 */
export interface VonageSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
  readonly segments: number;
  readonly encoding: SmsEncoding;
}

/** One part of the SMS API's answer, as the SDK gives it (camelCased). */
interface Part {
  readonly status?: string;
  readonly messageId?: string;
  readonly errorText?: string;
}

/**
 * SMS through Vonage's SMS API (`@vonage/server-sdk`: `vonage.sms.send`, one recipient per
 * request). Addresses are E.164 numbers; text that GSM-7 cannot carry goes as `type: unicode`.
 */
export class VonageMessenger extends Messenger {
  static override alias: string = 'vonage';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the secret.
  readonly #settings: ResolvedVonageOptions;
  readonly #client: Vonage;
  readonly #health: HealthCache;

  constructor(options: VonageMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    this.#client = new Vonage(
      { apiKey: settings.apiKey, apiSecret: settings.apiSecret },
      { restHost: settings.restHost, timeout: settings.timeoutMs },
    );
    this.#health = new HealthCache(settings.healthCacheMs, settings.clock);
  }

  /** The SMS API origin requests go to. */
  get restHost(): string {
    return this.#settings.restHost;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    const value = user[this.#settings.phoneField];
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    return this.parse(value) ?? value;
  }

  override validateAddress(address: string): boolean {
    return this.parse(address) !== undefined;
  }

  /** Raw numbers are stored normalised (E.164), so that suppressions and receipts match them. */
  override resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    if (typeof recipient !== 'string') return super.resolveAddresses(recipient);
    const parsed = this.parse(recipient);
    if (parsed) return ok([parsed]);
    const region = this.#settings.defaultRegion;
    return err(
      new ValidationError(
        `[${this.alias}] "${recipient}" is not a valid phone number: use E.164 ("+447911123456")${region ? ` or a ${region} number` : ''}.`,
        { code: 'BAD_ADDRESS' },
      ),
    );
  }

  /** An SMS over `maxSegments` (or empty) cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    const { text } = smsPayload(compiled);
    if (text.trim() === '') return 'the message has no text to send';
    const count = countSegments(text);
    if (count.segments > this.#settings.maxSegments) {
      return `the text takes ${count.segments} SMS segments (${count.encoding}, ${count.characters} characters) and this messenger allows at most ${this.#settings.maxSegments} (maxSegments); shorten it${count.encoding === 'UCS-2' ? ' or drop the characters that need unicode' : ''}`;
    }
    return null;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    // After refused credentials, a rate limit or an unreachable API, the rest is not tried.
    const results = await sendEach(batch, {
      concurrency: this.#settings.concurrency,
      deliver: (item) => this.deliver(item),
    });
    this.reportConfiguration(results);
    return results;
  }

  /**
   * Reads the balance (`GET /account/get-balance`): healthy when Vonage accepts the credentials and
   * the account can pay. Cached (`healthCacheMs`); a send refused for the configuration turns it
   * unhealthy at once, an accepted one healthy.
   */
  override healthCheck(): Promise<HealthStatus> {
    return this.#health.get(async () => {
      try {
        const balance = (await this.#client.accounts.getBalance()) as {
          value?: number;
          autoReload?: boolean;
        };
        if (typeof balance.value === 'number' && balance.value <= 0 && !balance.autoReload) {
          return { status: 'unhealthy', detail: 'the Vonage account has no credit left' };
        }
        return { status: 'healthy' };
      } catch (thrown) {
        return { status: 'unhealthy', detail: this.ctxFailure(thrown).error.message };
      }
    });
  }

  private async deliver(item: OutgoingDispatch): Promise<Result<VonageSentReceipt, VonageFailure>> {
    // Normalised at scheduling: E.164 is taken as it is, anything else parsed again.
    const to = /^\+[1-9]\d{6,14}$/.test(item.dispatch.address)
      ? item.dispatch.address
      : this.parse(item.dispatch.address);
    if (!to) {
      const error = new VonageDeliveryError(
        `[${this.alias}] "${item.dispatch.address}" is not a valid phone number; not sent.`,
        { retryable: false, feedback: 'address-invalid' },
      );
      return err({ error, stopBatch: false });
    }
    const { text } = smsPayload(item.compiled);
    const encoding = encodingOf(text);
    const { from, statusCallbackUrl } = this.#settings;
    try {
      const answer = await this.#client.sms.send({
        to: vonageNumber(to),
        from,
        text,
        ...(encoding === 'UCS-2' && { type: 'unicode' as never }),
        clientRef: item.dispatch.id,
        ...(statusCallbackUrl !== null && { callback: statusCallbackUrl, statusReportReq: true }),
      });
      const parts = (answer.messages ?? []) as readonly Part[];
      const first = parts[0]?.messageId;
      if (!first) {
        return err(statusFailure('5', 'the answer named no message-id', this.ctx()));
      }
      this.#health.observe({ status: 'healthy' });
      const reported = Number(answer.messageCount);
      return ok({
        providerMessageId: first,
        segments: Number.isInteger(reported) && reported > 0 ? reported : countSegments(text).segments,
        encoding,
      });
    } catch (thrown) {
      return err(this.ctxFailure(thrown));
    }
  }

  /**
   * The SDK throws MessageSendPartialFailure / MessageSendAllFailure (both SMSFailure) when parts
   * carry a status other than "0": the first refused part decides; anything else is HTTP or network.
   */
  private ctxFailure(thrown: unknown): VonageFailure {
    const parts = (thrown as { getFailedMessages?: () => unknown } | null)?.getFailedMessages?.();
    if (Array.isArray(parts) && parts.length > 0) {
      const failed = parts[0] as Part;
      return statusFailure(String(failed.status ?? ''), failed.errorText, this.ctx());
    }
    return httpFailure(thrown, this.ctx());
  }

  private ctx() {
    return {
      alias: this.alias,
      apiSecret: this.#settings.apiSecret,
      now: this.#settings.clock.now(),
      throttleRetryMs: this.#settings.throttleRetryMs,
    };
  }

  private parse(address: string): string | undefined {
    return parsePhoneNumber(address, this.#settings.defaultRegion);
  }

  /** A refused configuration stops all messages: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof VonageDeliveryError) || !result.error.configuration)
        continue;
      const { message, statusCode, providerCode } = result.error;
      this.#health.observe({ status: 'unhealthy', detail: message });
      this.#settings.logger.error?.(message, { messenger: this.alias, statusCode, providerCode });
      return;
    }
  }
}
