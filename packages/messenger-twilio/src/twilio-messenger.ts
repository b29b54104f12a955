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
import twilio from 'twilio';
import { type PhoneAddress, parsePhoneAddress } from './address.js';
import { TwilioDeliveryError } from './errors.js';
import { type ResolvedTwilioOptions, resolveOptions, type TwilioMessengerOptions } from './options.js';
import { countSegments, encodingOf, type SmsEncoding } from './segments.js';
import { TwilioHttpClient } from './twilio-http-client.js';
import { classifyFailure, type TwilioFailure } from './twilio-outcome.js';

/** How scheduling stores an address: E.164, optionally `whatsapp:`. */
const STORED = /^(whatsapp:)?(\+[1-9]\d{6,14})$/;

/** Twilio refuses a body longer than 1,600 characters (error 21617). */
export const MAX_BODY_CHARACTERS = 1600;

/**
 * What a sent dispatch's result carries. `providerMessageId` is the Message SID (`SM...`), which
 * the engine keeps on the dispatch and the webhook maps status callbacks back with. `segments` is
 * what Twilio bills: its own `num_segments`, or this package's count when the answer has none.
 */
export interface TwilioSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
  readonly segments: number;
  /** The text's encoding: UCS-2 segments hold 70 characters, GSM-7 ones 160. */
  readonly encoding: SmsEncoding;
}

/**
 * SMS and WhatsApp through Twilio's Messages API (the `twilio` SDK, one request per recipient as
 * the API takes them). Addresses are E.164 numbers, or `whatsapp:+<E.164>`.
 */
export class TwilioMessenger extends Messenger {
  static override alias: string = 'twilio';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the token.
  readonly #settings: ResolvedTwilioOptions;
  readonly #client: twilio.Twilio;
  readonly #health: HealthCache;

  constructor(options: TwilioMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    this.#client = new twilio.Twilio(settings.accountSid, settings.authToken, {
      httpClient: new TwilioHttpClient(settings.baseUrl, settings.timeoutMs),
    });
    this.#health = new HealthCache(settings.healthCacheMs, settings.clock);
  }

  /** The API origin requests go to. */
  get baseUrl(): string {
    return this.#settings.baseUrl;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    const value = user[this.#settings.phoneField];
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    // An invalid number is returned as it is, so that scheduling refuses it with a ValidationError.
    return this.parse(value)?.address ?? value;
  }

  override validateAddress(address: string): boolean {
    return this.parse(address) !== undefined;
  }

  /** Raw numbers are stored normalised (E.164), so that suppressions and callbacks match them. */
  override resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    if (typeof recipient !== 'string') return super.resolveAddresses(recipient);
    const parsed = this.parse(recipient);
    if (parsed) return ok([parsed.address]);
    const region = this.#settings.defaultRegion;
    return err(
      new ValidationError(
        `[${this.alias}] "${recipient}" is not a valid phone number: use E.164 ("+14155552671")${region ? ` or a ${region} number` : ''}, or "whatsapp:+<E.164>".`,
        { code: 'BAD_ADDRESS' },
      ),
    );
  }

  /** An SMS over `maxSegments` (or over Twilio's 1,600 characters, or empty) cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    const { text } = smsPayload(compiled);
    if (text.trim() === '') return 'the message has no text to send';
    if (text.length > MAX_BODY_CHARACTERS) {
      return `the text has ${text.length} characters and Twilio takes at most ${MAX_BODY_CHARACTERS} (error 21617); shorten it`;
    }
    const count = countSegments(text);
    if (count.segments > this.#settings.maxSegments) {
      return `the text takes ${count.segments} SMS segments (${count.encoding}, ${count.characters} characters) and this messenger allows at most ${this.#settings.maxSegments} (maxSegments); shorten it${count.encoding === 'UCS-2' ? ' or drop the characters that need UCS-2' : ''}`;
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
   * Fetches the account (`GET /2010-04-01/Accounts/{sid}.json`): healthy when Twilio accepts the
   * credentials and the account is active. Answers are cached (`healthCacheMs`); a send that was
   * refused for the credentials turns it unhealthy at once, an accepted one healthy.
   */
  override healthCheck(): Promise<HealthStatus> {
    return this.#health.get(async () => {
      try {
        const account = await this.#client.api.v2010.accounts(this.#settings.accountSid).fetch();
        if (account.status === 'active') return { status: 'healthy' };
        return { status: 'unhealthy', detail: `the Twilio account is ${account.status}` };
      } catch (thrown) {
        return { status: 'unhealthy', detail: this.classify(thrown).error.message };
      }
    });
  }

  private async deliver(item: OutgoingDispatch): Promise<Result<TwilioSentReceipt, TwilioFailure>> {
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
    try {
      const message = await this.#client.messages.create({
        to: to.address,
        body: text,
        ...sender,
        ...(this.#settings.statusCallbackUrl !== null && {
          statusCallback: this.#settings.statusCallbackUrl,
        }),
      });
      this.#health.observe({ status: 'healthy' });
      const reported = Number(message.numSegments);
      return ok({
        providerMessageId: message.sid,
        segments: Number.isInteger(reported) && reported > 0 ? reported : countSegments(text).segments,
        encoding: encodingOf(text),
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
    return parsePhoneAddress(address, this.#settings.defaultRegion);
  }

  private classify(thrown: unknown): TwilioFailure {
    return classifyFailure(thrown, {
      alias: this.alias,
      authToken: this.#settings.authToken,
      now: this.#settings.clock.now(),
    });
  }

  /** Refused credentials stop all messages: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof TwilioDeliveryError) || !result.error.configuration)
        continue;
      const { message, statusCode } = result.error;
      if (statusCode !== undefined) this.#health.observe({ status: 'unhealthy', detail: message });
      this.#settings.logger.error?.(message, { messenger: this.alias, statusCode });
      return;
    }
  }
}
