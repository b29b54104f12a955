import { type Clock, systemClock } from './clock.js';
import type { CompiledMessage } from './compiled.js';
import { type DeliveryError, ValidationError } from './errors.js';
import type { SitemsgEventMap } from './events.js';
import type { HealthStatus } from './health.js';
import { completeLogger, type Logger } from './logger.js';
import { err, ok, type Result } from './result.js';
import type { DispatchReceipt, DispatchRecord, MessageRecord, SitemsgUser } from './types.js';

/** Bumped when the Messenger contract changes incompatibly; the engine refuses a messenger built for another. */
export const MESSENGER_CONTRACT_VERSION = 1 as const;

/** One dispatch as a messenger receives it: rendered, with its signed links. */
export interface OutgoingDispatch {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  readonly compiled: CompiledMessage;
  /**
   * The signed unsubscribe URL (for List-Unsubscribe), or '' when there is none: the type does not
   * allow unsubscription, or no secret is configured. '' means "no link" everywhere, as in templates.
   */
  readonly unsubscribeUrl: string;
  /** The signed mark-read URL (the read pixel), or '' when no secret is configured. */
  readonly markReadUrl: string;
}

/** What the provider answered for an accepted dispatch. */
export interface SentReceipt {
  /** The provider's id for the sent message, when it returns one. */
  readonly providerMessageId?: string;
  /**
   * What the provider reported about it — what it will cost (`{ segments: 2 }` for an SMS) — kept
   * on the dispatch as `DispatchRecord.receipt`. Small JSON; one over `MAX_RECEIPT_BYTES` is not kept.
   */
  readonly receipt?: DispatchReceipt;
}

/** One outcome per dispatch of the batch. */
export interface DispatchResult {
  readonly dispatchId: string;
  readonly result: Result<SentReceipt, DeliveryError>;
}

export interface MessengerOptions {
  /** Registers the messenger under another alias (several named messengers of one channel). */
  readonly alias?: string;
  readonly title?: string;
  /**
   * Marks this messenger as its channel's primary: the one the channel alias (e.g. `smtp`) and
   * the class (`recipients(SmtpMessenger, ...)`) resolve to. Default: the first registered.
   */
  readonly primary?: boolean;
}

/** What the engine lends a messenger when it is registered: its logger, clock, event bus and public URLs. */
export interface MessengerEngineContext {
  readonly logger: Required<Logger>;
  readonly clock: Clock;
  emit<K extends keyof SitemsgEventMap>(event: K, payload: SitemsgEventMap[K]): void;
  /**
   * The public URL of a provider's webhook as express-views mounts it:
   * `{siteUrl}{linkBasePath}/webhooks/{provider}` (`https://shop.example/sitemsg/webhooks/twilio`),
   * or null when the application configured no `siteUrl` (nothing public to point a provider at).
   * The default for a per-message status callback; a messenger's own option wins over it.
   */
  webhookUrl(provider: string): string | null;
}

/** The static side of a messenger class, as `recipients(SmtpMessenger, ...)` uses it. */
export interface MessengerClass {
  readonly alias: string;
  readonly prototype: Messenger;
}

/**
 * Base class of every channel. Implement `send` (one outcome per dispatch: a bad address is one
 * `err`, never a thrown batch) and, usually, `addressFromUser` and `validateAddress`. Open
 * connections in `warmUp` (or `init` for long-lived ones) and close them in `coolDown` / `close`;
 * never in the constructor.
 */
export abstract class Messenger {
  /** The channel's default alias, e.g. `smtp`. */
  static alias: string = '';
  /** Compatibility of this messenger with the engine's contract. */
  readonly messengerContractVersion: typeof MESSENGER_CONTRACT_VERSION = MESSENGER_CONTRACT_VERSION;
  readonly alias: string;
  readonly title: string;
  /** Whether users may subscribe to messages on this channel (a preferences column). */
  readonly allowUserSubscription: boolean = true;
  /** The channel this messenger belongs to (its class's alias), e.g. `smtp` for `smtp_backup`. */
  readonly channel: string;
  /**
   * What it carries messages over, shared by every provider of it: `sms` (Twilio, Vonage),
   * `email`, `push`, `chat`, ... Opt-outs, complaints, hard bounces and dead addresses recorded as
   * feedback for one messenger of a medium suppress the address on all of them, including ones
   * registered later. Undefined (the default): feedback suppresses on this messenger alone.
   * Lower-case letters, digits, `-` and `_`.
   */
  readonly medium: string | undefined = undefined;
  readonly primary: boolean;
  /** The engine's logger, clock, events and URLs once registered (silent, system time, no-op, no URL before). */
  protected engine: MessengerEngineContext = {
    logger: completeLogger(),
    clock: systemClock,
    emit: () => {},
    webhookUrl: () => null,
  };

  constructor(options: MessengerOptions = {}) {
    this.channel = (new.target as unknown as MessengerClass).alias;
    this.alias = options.alias ?? this.channel;
    this.title = options.title ?? this.alias;
    this.primary = options.primary ?? false;
  }

  /** The address of a user on this channel (an e-mail, a phone number, a chat id), if the user has one. */
  protected addressFromUser(_user: SitemsgUser): string | undefined {
    return undefined;
  }

  /**
   * Every address of a user on this channel: a push user's device tokens, a chat user's ids. The
   * default is the one address `addressFromUser` gives. A channel where a user has several
   * overrides this; each address then becomes a dispatch of its own (tracked, retried and
   * invalidated alone), and a user with none is simply not addressed (no error).
   */
  protected addressesFromUser(user: SitemsgUser): readonly string[] {
    const address = this.addressFromUser(user);
    return address === undefined ? [] : [address];
  }

  /** Whether a user may have several addresses here (the messenger overrides `addressesFromUser`). */
  get multipleAddresses(): boolean {
    return this.addressesFromUser !== Messenger.prototype.addressesFromUser;
  }

  /** Whether a raw address is usable on this channel. */
  validateAddress(address: string): boolean {
    return address.trim().length > 0;
  }

  /** Turns a user object or a raw address into one address, or says why it cannot. */
  resolveAddress(recipient: SitemsgUser | string): Result<string, ValidationError> {
    const resolved = this.resolveAddresses(recipient);
    if (!resolved.ok) return resolved;
    const [first] = resolved.value;
    return first === undefined ? err(this.noAddress(recipient)) : ok(first);
  }

  /**
   * Turns a user object into all its addresses on this channel (none for a user without any on a
   * channel with several per user), or a raw address into itself; an invalid address is refused.
   */
  resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    const addresses =
      typeof recipient === 'string' ? [recipient] : [...new Set(this.addressesFromUser(recipient))];
    if (addresses.length === 0 && !this.multipleAddresses) return err(this.noAddress(recipient));
    for (const address of addresses) {
      if (typeof address !== 'string' || !this.validateAddress(address)) {
        return err(
          new ValidationError(`[${this.alias}] "${String(address)}" is not a valid address.`, {
            code: 'BAD_ADDRESS',
          }),
        );
      }
    }
    return ok(addresses);
  }

  private noAddress(recipient: SitemsgUser | string): ValidationError {
    const who = typeof recipient === 'string' ? 'this recipient' : `user ${String(recipient.id)}`;
    return new ValidationError(`[${this.alias}] ${who} has no address on this messenger.`, {
      code: 'BAD_ADDRESS',
    });
  }

  /** Called by the engine at registration; messengers read `this.engine` rather than overriding this. */
  attachEngine(context: MessengerEngineContext): void {
    this.engine = context;
  }

  /** Opens long-lived resources; called once by the engine's `init()`. */
  init(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes what `init` opened; called by the engine's `close()`. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Gets ready for a batch (connect, log in). Throwing marks the whole batch as a retryable error. */
  warmUp(): Promise<void> {
    return Promise.resolve();
  }

  /** Releases what `warmUp` took. Called even when the batch failed. */
  coolDown(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Whether this channel can carry a compiled message: null when it can, else the reason it
   * cannot (an SMS over the segment limit, a push payload over 4 KB, a tweet over 280). The engine
   * fails such a dispatch permanently with the reason instead of sending it, and — when the
   * message reads nothing dispatch-specific, so it can be compiled at scheduling — refuses it at
   * `scheduleMessages()` with a ValidationError. Channels with limits override it.
   */
  checkCompiled(_compiled: CompiledMessage): string | null {
    return null;
  }

  /** Whether the messenger checks compiled messages (overrides `checkCompiled`). */
  get checksCompiled(): boolean {
    return this.checkCompiled !== Messenger.prototype.checkCompiled;
  }

  /** Sends a batch; returns one outcome per dispatch (any order), expected failures as `err` values. */
  abstract send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]>;

  /** Health of the channel (credentials, reachability). The default has nothing to check. */
  healthCheck(): Promise<HealthStatus> {
    return Promise.resolve({ status: 'healthy' });
  }
}
