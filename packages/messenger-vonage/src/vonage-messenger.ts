import {
  err,
  type HealthStatus,
  type OutgoingDispatch,
  ok,
  type Result,
  type SentReceipt,
  smsPayload,
} from '@sitemsg/core/plugin';
import {
  countSegments,
  encodingOf,
  parsePhoneNumber,
  type SmsEncoding,
  type SmsFailure,
  SmsMessenger,
} from '@sitemsg/sms-kit';
import { Vonage } from '@vonage/server-sdk';
import { vonageNumber } from './address.js';
import { VonageDeliveryError } from './errors.js';
import { type ResolvedVonageOptions, resolveOptions, type VonageMessengerOptions } from './options.js';
import { httpFailure, statusFailure } from './vonage-outcome.js';

/**
 * What a sent dispatch's result carries. `providerMessageId` is the `message-id` of the first part;
 * every part's delivery receipt also carries the dispatch id as `client-ref`, which the webhook maps
 * back with. `receipt` is kept on the dispatch: `segments` is Vonage's `message-count` (the parts it
 * bills), `encoding` the text's, `price` the sum of the parts' `message-price` (in the account's
 * currency, which the answer does not name).
 */
export interface VonageSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
  readonly receipt: {
    readonly segments: number;
    readonly encoding: SmsEncoding;
    readonly price?: string;
  };
}

/** One part of the SMS API's answer, as the SDK gives it (camelCased). */
interface Part {
  readonly status?: string;
  readonly messageId?: string;
  readonly errorText?: string;
  readonly messagePrice?: string;
}

/**
 * SMS through Vonage's SMS API (`@vonage/server-sdk`: `vonage.sms.send`, one recipient per
 * request). Addresses are E.164 numbers; text that GSM-7 cannot carry goes as `type: unicode`.
 * Medium `sms`: a STOP received here suppresses the number on every SMS messenger.
 */
export class VonageMessenger extends SmsMessenger {
  static override alias: string = 'vonage';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the secret.
  readonly #settings: ResolvedVonageOptions;
  readonly #client: Vonage;

  constructor(options: VonageMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.sms);
    this.#settings = settings;
    this.#client = new Vonage(
      { apiKey: settings.apiKey, apiSecret: settings.apiSecret },
      { restHost: settings.restHost, timeout: settings.sms.timeoutMs },
    );
  }

  /** The SMS API origin requests go to. */
  get restHost(): string {
    return this.#settings.restHost;
  }

  protected override normalize(address: string): string | undefined {
    return parsePhoneNumber(address, this.smsOptions.defaultRegion);
  }

  protected override describeAddresses(): string {
    return 'E.164 ("+447911123456")';
  }

  /**
   * Reads the balance (`GET /account/get-balance`): healthy when Vonage accepts the credentials and
   * the account can pay.
   */
  protected override async checkAccount(): Promise<HealthStatus> {
    try {
      const balance = (await this.#client.accounts.getBalance()) as { value?: number; autoReload?: boolean };
      if (typeof balance.value === 'number' && balance.value <= 0 && !balance.autoReload) {
        return { status: 'unhealthy', detail: 'the Vonage account has no credit left' };
      }
      return { status: 'healthy' };
    } catch (thrown) {
      return { status: 'unhealthy', detail: this.failure(thrown).error.message };
    }
  }

  protected override async deliver(item: OutgoingDispatch): Promise<Result<VonageSentReceipt, SmsFailure>> {
    // Normalised at scheduling: E.164 is taken as it is, anything else parsed again.
    const to = /^\+[1-9]\d{6,14}$/.test(item.dispatch.address)
      ? item.dispatch.address
      : this.normalize(item.dispatch.address);
    if (!to) {
      const error = new VonageDeliveryError(
        `[${this.alias}] "${item.dispatch.address}" is not a valid phone number; not sent.`,
        { retryable: false, feedback: 'address-invalid' },
      );
      return err({ error, stopBatch: false });
    }
    const { text } = smsPayload(item.compiled);
    const encoding = encodingOf(text);
    const callback = this.statusCallbackUrl(this.channel);
    try {
      const answer = await this.#client.sms.send({
        to: vonageNumber(to),
        from: this.#settings.from,
        text,
        ...(encoding === 'UCS-2' && { type: 'unicode' as never }),
        clientRef: item.dispatch.id,
        ...(callback !== null && { callback, statusReportReq: true }),
      });
      const parts = (answer.messages ?? []) as readonly Part[];
      const first = parts[0]?.messageId;
      if (!first) {
        return err(statusFailure('5', 'the answer named no message-id', this.ctx()));
      }
      this.observeHealth({ status: 'healthy' });
      const reported = Number(answer.messageCount);
      const price = totalPrice(parts);
      return ok({
        providerMessageId: first,
        receipt: {
          segments: Number.isInteger(reported) && reported > 0 ? reported : countSegments(text).segments,
          encoding,
          ...(price !== undefined && { price }),
        },
      });
    } catch (thrown) {
      return err(this.failure(thrown));
    }
  }

  /**
   * The SDK throws MessageSendPartialFailure / MessageSendAllFailure (both SMSFailure) when parts
   * carry a status other than "0": the first refused part decides; anything else is HTTP or network.
   */
  private failure(thrown: unknown): SmsFailure {
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
      now: this.smsOptions.clock.now(),
      throttleRetryMs: this.#settings.throttleRetryMs,
    };
  }
}

/** The parts' `message-price` added up (decimal strings with 8 places), or undefined when none says. */
function totalPrice(parts: readonly Part[]): string | undefined {
  const prices = parts.map((p) => Number(p.messagePrice)).filter((n) => Number.isFinite(n));
  if (prices.length === 0) return undefined;
  return prices.reduce((a, b) => a + b, 0).toFixed(8);
}
