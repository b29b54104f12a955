import {
  err,
  type HealthStatus,
  type OutgoingDispatch,
  ok,
  type Result,
  type SentReceipt,
  smsPayload,
} from '@sitemsg/core/plugin';
import { countSegments, encodingOf, type SmsEncoding, type SmsFailure, SmsMessenger } from '@sitemsg/sms-kit';
import twilio from 'twilio';
import { type PhoneAddress, parsePhoneAddress } from './address.js';
import { TwilioDeliveryError } from './errors.js';
import { type ResolvedTwilioOptions, resolveOptions, type TwilioMessengerOptions } from './options.js';
import { TwilioHttpClient } from './twilio-http-client.js';
import { classifyFailure } from './twilio-outcome.js';

/** How scheduling stores an address: E.164, optionally `whatsapp:`. */
const STORED = /^(whatsapp:)?(\+[1-9]\d{6,14})$/;

/** Twilio refuses a body longer than 1,600 characters (error 21617). */
export const MAX_BODY_CHARACTERS = 1600;

/**
 * What a sent dispatch's result carries. `providerMessageId` is the Message SID (`SM...`), which
 * the engine keeps on the dispatch and the webhook maps status callbacks back with. `receipt` is
 * kept on the dispatch too: `segments`, what Twilio bills (its own `num_segments`, or this
 * package's count when the answer has none), and the text's `encoding`; `price` and `currency`
 * when Twilio's answer already states them.
 */
export interface TwilioSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
  readonly receipt: {
    readonly segments: number;
    /** UCS-2 segments hold 70 characters, GSM-7 ones 160. */
    readonly encoding: SmsEncoding;
    readonly price?: string;
    readonly currency?: string;
  };
}

/**
 * SMS and WhatsApp through Twilio's Messages API (the `twilio` SDK, one request per recipient as
 * the API takes them). Addresses are E.164 numbers, or `whatsapp:+<E.164>`. Medium `sms`: a STOP
 * received here suppresses the number on every SMS messenger.
 */
export class TwilioMessenger extends SmsMessenger {
  static override alias: string = 'twilio';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the token.
  readonly #settings: ResolvedTwilioOptions;
  readonly #client: twilio.Twilio;

  constructor(options: TwilioMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.sms, { maxCharacters: { count: MAX_BODY_CHARACTERS, provider: 'Twilio (error 21617)' } });
    this.#settings = settings;
    this.#client = new twilio.Twilio(settings.accountSid, settings.authToken, {
      httpClient: new TwilioHttpClient(settings.baseUrl, settings.sms.timeoutMs),
    });
  }

  /** The API origin requests go to. */
  get baseUrl(): string {
    return this.#settings.baseUrl;
  }

  protected override normalize(address: string): string | undefined {
    return this.parse(address)?.address;
  }

  protected override describeAddresses(): string {
    return 'E.164 ("+14155552671") or "whatsapp:+<E.164>"';
  }

  /**
   * Fetches the account (`GET /2010-04-01/Accounts/{sid}.json`): healthy when Twilio accepts the
   * credentials and the account is active.
   */
  protected override async checkAccount(): Promise<HealthStatus> {
    try {
      const account = await this.#client.api.v2010.accounts(this.#settings.accountSid).fetch();
      if (account.status === 'active') return { status: 'healthy' };
      return { status: 'unhealthy', detail: `the Twilio account is ${account.status}` };
    } catch (thrown) {
      return { status: 'unhealthy', detail: this.classify(thrown).error.message };
    }
  }

  protected override async deliver(item: OutgoingDispatch): Promise<Result<TwilioSentReceipt, SmsFailure>> {
    const to = this.stored(item.dispatch.address);
    if (!to) {
      const error = new TwilioDeliveryError(
        `[${this.alias}] "${item.dispatch.address}" is not a valid phone number; not sent.`,
        { retryable: false, feedback: 'address-invalid' },
      );
      return err({ error, stopBatch: false });
    }
    const sender = this.senderFor(to);
    if (!sender) {
      const error = new TwilioDeliveryError(
        `[${this.alias}] no WhatsApp sender is configured: set whatsappFrom ("whatsapp:+14155552671"), a numeric from, or messagingServiceSid; the dispatch is kept and retried.`,
        { retryable: true, configuration: true },
      );
      return err({ error, stopBatch: false });
    }
    const { text } = smsPayload(item.compiled);
    const statusCallback = this.statusCallbackUrl(this.channel);
    try {
      const message = await this.#client.messages.create({
        to: to.address,
        body: text,
        ...sender,
        ...(statusCallback !== null && { statusCallback }),
      });
      this.observeHealth({ status: 'healthy' });
      const reported = Number(message.numSegments);
      return ok({
        providerMessageId: message.sid,
        receipt: {
          segments: Number.isInteger(reported) && reported > 0 ? reported : countSegments(text).segments,
          encoding: encodingOf(text),
          ...(message.price && message.priceUnit && { price: message.price, currency: message.priceUnit }),
        },
      });
    } catch (thrown) {
      return err(this.classify(thrown));
    }
  }

  private senderFor(to: PhoneAddress): { from: string } | { messagingServiceSid: string } | null {
    const { from, messagingServiceSid, whatsappFrom } = this.#settings;
    if (messagingServiceSid !== null) return { messagingServiceSid };
    if (to.channel === 'whatsapp') return whatsappFrom === null ? null : { from: whatsappFrom };
    return { from: from! };
  }

  /** A dispatch's address was normalised at scheduling: E.164 is taken as it is, anything else parsed again. */
  private stored(address: string): PhoneAddress | undefined {
    const match = STORED.exec(address);
    if (!match) return this.parse(address);
    return { channel: match[1] ? 'whatsapp' : 'sms', e164: match[2]!, address };
  }

  private parse(address: string): PhoneAddress | undefined {
    return parsePhoneAddress(address, this.smsOptions.defaultRegion);
  }

  private classify(thrown: unknown): SmsFailure {
    return classifyFailure(thrown, {
      alias: this.alias,
      authToken: this.#settings.authToken,
      now: this.smsOptions.clock.now(),
    });
  }
}
