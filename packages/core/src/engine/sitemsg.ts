import { EmailHtmlMessage, EmailTextMessage, PlainTextMessage } from '../builtin-types.js';
import { ConfigurationError, DeliveryError, describeError, ValidationError } from '../errors.js';
import { EventBus, type EventHandler, type SitemsgEventMap } from '../events.js';
import type { FeedbackInput, FeedbackOutcome } from '../feedback.js';
import { aggregateHealth, type HealthReport, type HealthStatus } from '../health.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { MessageTypeClass } from '../message-type.js';
import type { Messenger, MessengerClass, SentReceipt } from '../messenger.js';
import { Registry } from '../registry.js';
import { err, ok, type Result } from '../result.js';
import { checkSendOptions, checkWorkOptions, cleanupCutoff } from '../run-option-limits.js';
import { type CleanupResult, type ScheduleResult, STORE_CONTRACT_VERSION, type Store } from '../store.js';
import type { DispatchRecord, Recipient, SitemsgUser } from '../types.js';
import { sendThrough } from './batch.js';
import type { EngineContext } from './context.js';
import { recordFeedback } from './feedback.js';
import * as links from './link-actions.js';
import { resolveOptions, type SitemsgOptions } from './options.js';
import type { SendCounts } from './outcomes.js';
import * as preferences from './preferences.js';
import { prepareDispatches, subscriberDispatches } from './prepare.js';
import {
  announce,
  type MessageInput,
  resolveRecipients,
  type ScheduleOptions,
  scheduleMessages,
} from './schedule.js';
import { type SendOptions, sendScheduled } from './send.js';
import { type WorkOptions, work } from './worker.js';

/**
 * One sitemsg engine: a store, messengers and message types, and everything done with them.
 * Create it with `createSitemsg()`; it connects lazily on first use or explicitly with `init()`.
 */
export class Sitemsg {
  readonly store: Store;
  private readonly ctx: EngineContext;
  private ready: Promise<void> | null = null;

  constructor(options: SitemsgOptions = {}) {
    const resolved = resolveOptions(options);
    const store = options.store ?? new MemoryStore();
    if (store.storeContractVersion !== STORE_CONTRACT_VERSION) {
      throw new ConfigurationError(
        `Store "${store.name}" implements store contract ${String(store.storeContractVersion)}, this @sitemsg/core needs ${STORE_CONTRACT_VERSION}.`,
      );
    }
    const registry = new Registry();
    registry.registerMessageTypes([
      PlainTextMessage,
      EmailTextMessage,
      EmailHtmlMessage,
      ...(options.messageTypes ?? []),
    ]);
    const events = new EventBus((event, error) =>
      resolved.logger.error(`[sitemsg] a "${event}" handler failed: ${describeError(error)}`),
    );
    this.store = store;
    this.ctx = { store, registry, events, options: resolved };
    this.registerMessengerObjects(...(options.messengers ?? []));
  }

  /** The path signed links point to (`linkBasePath`): the express views must be mounted there. */
  get linkBasePath(): string {
    return this.ctx.options.linkBasePath;
  }

  /** The site's base URL, as links and templates see it. */
  get siteUrl(): string {
    return this.ctx.options.siteUrl;
  }

  /** The id this engine claims dispatches under. */
  get workerId(): string {
    return this.ctx.options.workerId;
  }

  /** Connects and migrates the store and opens messengers. Called lazily by every other method. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.store.init?.();
      for (const messenger of this.ctx.registry.messengerMap.values()) await messenger.init();
    })().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /** Closes messengers and what the store created. */
  async close(): Promise<void> {
    for (const messenger of this.ctx.registry.messengerMap.values()) await messenger.close();
    await this.store.close?.();
    this.ready = null;
  }

  /** Registers messengers (checked now: contract version, duplicate alias); opened at `init()`, or now if already initialised. */
  registerMessengerObjects(...messengers: Messenger[]): void {
    this.ctx.registry.registerMessengers(messengers);
    const { logger, clock } = this.ctx.options;
    const emit = this.ctx.events.emit.bind(this.ctx.events);
    for (const messenger of messengers) messenger.attachEngine({ logger, clock, emit });
    if (this.ready)
      this.ready = this.ready.then(async () => {
        for (const m of messengers) await m.init();
      });
  }

  /** The registered messengers by alias. */
  getRegisteredMessengerObjects(): ReadonlyMap<string, Messenger> {
    return this.ctx.registry.messengerMap;
  }

  /** The messenger registered under `alias`; an unknown alias is an `UnknownMessengerError`. */
  getRegisteredMessengerObject(alias: string): Messenger {
    return this.ctx.registry.messenger(alias);
  }

  /** Registers message types (checked now: alias, duplicates). */
  registerMessageTypes(...types: MessageTypeClass[]): void {
    this.ctx.registry.registerMessageTypes(types);
  }

  /** The registered message types by alias (the built-ins included). */
  getRegisteredMessageTypes(): ReadonlyMap<string, MessageTypeClass> {
    return this.ctx.registry.messageTypeMap;
  }

  /** The message type registered under `alias`; an unknown alias is an `UnknownMessageTypeError`. */
  getRegisteredMessageType(alias: string): MessageTypeClass {
    return this.ctx.registry.messageType(alias);
  }

  /** The type a reusable library should use for `defaultAlias` (replaced by the application if it said so). */
  getMessageTypeForApp(app: string, defaultAlias: string): MessageTypeClass {
    return this.ctx.registry.messageTypeForApp(app, defaultAlias);
  }

  /** Makes a reusable library's `getMessageTypeForApp(app, defaultAlias)` answer the application's own type instead. */
  overrideMessageTypeForApp(app: string, defaultAlias: string, replacementAlias: string): void {
    this.ctx.registry.overrideMessageTypeForApp(app, defaultAlias, replacementAlias);
  }

  /** Recipients on one messenger from users and/or raw addresses; concatenate lists for several messengers. */
  recipients(
    messenger: string | MessengerClass,
    who: SitemsgUser | string | readonly (SitemsgUser | string)[],
  ): Recipient[] {
    return resolveRecipients(this.ctx, messenger, who);
  }

  /** Schedules messages (a string is a plain-text message); without recipients they wait for `prepareDispatches()`. */
  async scheduleMessages(
    messages: MessageInput | readonly MessageInput[],
    recipients?: readonly Recipient[],
    options?: ScheduleOptions,
  ): Promise<ScheduleResult[]> {
    await this.init();
    return scheduleMessages(this.ctx, messages, recipients, options);
  }

  /**
   * Emits `message:scheduled` for messages written on the application's transaction client
   * (`{ client }`), to be called once that transaction has committed: listeners then only ever
   * hear of messages that are stored.
   */
  announceScheduled(results: readonly ScheduleResult[]): void {
    announce(this.ctx, results, 'message:scheduled');
  }

  /** Creates dispatches for postponed messages from subscriptions; returns how many messages got some. */
  async prepareDispatches(): Promise<number> {
    await this.init();
    return prepareDispatches(this.ctx);
  }

  /** Sends everything due now, batch by batch; returns the counts. */
  async sendScheduledMessages(options?: SendOptions): Promise<SendCounts> {
    checkSendOptions(options);
    await this.init();
    return sendScheduled(this.ctx, options);
  }

  /** Runs the worker loop until the signal aborts (or SIGTERM / SIGINT). */
  async work(options?: WorkOptions): Promise<SendCounts> {
    checkWorkOptions(options);
    await this.init();
    return work(this.ctx, options);
  }

  /** Deletes sent dispatches older than `ago` days (0 to 36,525; all when omitted) and then messages left empty. */
  async cleanupSentMessages(
    options: { ago?: number; dispatchesOnly?: boolean } = {},
  ): Promise<CleanupResult> {
    const before = cleanupCutoff(options, this.ctx.options.clock.now());
    await this.init();
    return this.store.cleanup({ before, dispatchesOnly: options.dispatchesOnly ?? false });
  }

  /** Sends a test text straight through a messenger, bypassing the store. A bad address throws a ValidationError. */
  async sendTestMessage(
    messengerAlias: string,
    options: { to: string; text?: string },
  ): Promise<Result<SentReceipt, DeliveryError>> {
    await this.init();
    const messenger = this.ctx.registry.messenger(messengerAlias);
    const [recipient] = resolveRecipients(this.ctx, messengerAlias, options.to);
    const now = new Date(this.ctx.options.clock.now());
    const dispatch = testDispatch(recipient!, now);
    const message = {
      id: dispatch.messageId,
      type: 'plain',
      context: { text: options.text ?? 'This is a sitemsg test message.' },
      senderId: null,
      priority: 0,
      dispatchesReady: true,
      createdAt: now,
      sendAt: null,
      idempotencyKey: null,
      groupMark: null,
    };
    // The sending path of every batch (compile, checks, warm-up, send, cool-down), for one dispatch.
    const [verdict] = await sendThrough(this.ctx, messenger, [{ dispatch, message, type: PlainTextMessage }]);
    if (!verdict) return err(DeliveryError.retryable('the messenger returned no outcome'));
    if ('sent' in verdict) return ok(verdict.sent === undefined ? {} : { providerMessageId: verdict.sent });
    const { error, permanent } = verdict;
    if (error instanceof DeliveryError) return err(error);
    const text = describeError(error);
    return err(
      permanent
        ? DeliveryError.permanent(text, { cause: error })
        : DeliveryError.retryable(text, { cause: error }),
    );
  }

  /**
   * The preferences table of a user: rows are the message types that allow subscription (types
   * with one title share a row), columns the messengers that allow it, cells supported/subscribed.
   */
  getUserPreferencesForUi(
    user: SitemsgUser,
    options?: preferences.PreferencesOptions,
  ): Promise<preferences.PreferencesTable> {
    return this.init().then(() => preferences.getUserPreferencesForUi(this.ctx, user, options));
  }

  /**
   * Saves a user's preferences: replaces the user's subscriptions for the cells the table shows
   * with `selections` (cell values or `{ messageType, messenger }` pairs); other pairs stay as they are.
   */
  setUserPreferences(
    user: SitemsgUser,
    selections: readonly (string | { messageType: string; messenger: string })[],
    options?: preferences.PreferencesOptions,
  ): Promise<void> {
    return this.init().then(() => preferences.setUserPreferences(this.ctx, user, selections, options));
  }

  /**
   * Subscribes a user or a raw address to a message type on a messenger; false when it already
   * was. A type or messenger that does not allow user subscription (a password reset) is a
   * ValidationError `SUBSCRIPTION_NOT_ALLOWED`: nobody could ever leave such a subscription.
   */
  async subscribe(messageType: string, recipient: Recipient): Promise<boolean> {
    await this.init();
    const type = this.ctx.registry.messageType(messageType);
    const messenger = this.ctx.registry.messenger(recipient.messenger);
    if (!type.allowUserSubscription || !messenger.allowUserSubscription) {
      const what = type.allowUserSubscription
        ? `messenger "${messenger.alias}"`
        : `message type "${type.alias}"`;
      throw new ValidationError(
        `${what} does not allow user subscription (allowUserSubscription is false).`,
        {
          code: 'SUBSCRIPTION_NOT_ALLOWED',
        },
      );
    }
    return this.store.addSubscription({
      messageType,
      messenger: recipient.messenger,
      userId: recipient.userId,
      address: recipient.address,
    });
  }

  /** The current subscribers of a message type, as recipients. */
  async getSubscribers(messageType: string): Promise<Recipient[]> {
    await this.init();
    const subscriptions = await this.store.listSubscriptions({ messageType });
    return (await subscriberDispatches(this.ctx, subscriptions)).map((d) => ({ ...d }));
  }

  /**
   * Unsubscribes the address behind a dispatch from its message type on its messenger (see
   * `handleUnsubscribeLink` for signed links). An unknown dispatch id is a ValidationError
   * `UNKNOWN_DISPATCH`.
   */
  async unsubscribe(dispatchId: string): Promise<links.LinkOutcome> {
    await this.init();
    return links.unsubscribeRecipient(this.ctx, await links.dispatchSubject(this.ctx, dispatchId));
  }

  /**
   * Marks a dispatch read (the inbox, an app's own "seen" tracking); `changed` is false when it
   * already was. An unknown dispatch id is a ValidationError `UNKNOWN_DISPATCH`, as for `unsubscribe`.
   */
  async markRead(dispatchId: string): Promise<links.LinkOutcome> {
    await this.init();
    return links.markDispatchRead(this.ctx, dispatchId);
  }

  /**
   * Verifies a signed link without acting on it (the unsubscribe confirmation page): what it points
   * to, or why it is refused. Never throws for a bad link.
   */
  async verifySignedLink(
    action: 'unsubscribe' | 'mark-read',
    link: links.SignedLink,
  ): Promise<Result<links.LinkSubject, links.LinkError>> {
    await this.init();
    return links.verifySignedLink(this.ctx, action, link);
  }

  /**
   * Acts on a signed unsubscribe link (POST only: a GET should confirm first). It keeps working
   * after cleanup deleted the dispatch, through the recipient sealed into the link.
   */
  async handleUnsubscribeLink(link: links.SignedLink): Promise<Result<links.LinkOutcome, links.LinkError>> {
    await this.init();
    return links.handleUnsubscribeLink(this.ctx, link);
  }

  /** Acts on a signed mark-read link (the read pixel). Never throws for a bad link. */
  async handleMarkReadLink(link: links.SignedLink): Promise<Result<links.LinkOutcome, links.LinkError>> {
    await this.init();
    return links.handleMarkReadLink(this.ctx, link);
  }

  /**
   * Records delivery feedback from a provider's answer or callback (a webhook handler calls it):
   * keeps it on the dispatch (named by id, or by the provider's message id; once per provider
   * `eventId`), emits `feedback:recorded` and the kind's own event (`dispatch:delivered`; `read`
   * marks the dispatch read), suppresses the address on the messenger for every message type when
   * the policy says so (`suppressOnFeedback`; an `opted-in` lifts it), and calls
   * `onAddressInvalid` for a dead address. Feedback about an address alone (an inbound STOP)
   * names `address` instead of a dispatch.
   */
  async recordFeedback(input: FeedbackInput): Promise<FeedbackOutcome> {
    await this.init();
    return recordFeedback(this.ctx, input);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SitemsgEventMap>(event: K, handler: EventHandler<K>): () => void {
    return this.ctx.events.on(event, handler);
  }

  /** Emits an event (plugins use it for their own, declared by augmenting `SitemsgEventMap`). */
  emit<K extends keyof SitemsgEventMap>(event: K, payload: SitemsgEventMap[K]): void {
    this.ctx.events.emit(event, payload);
  }

  /** The store's and every messenger's health, each under a timeout; the worst status wins. */
  async healthCheck(): Promise<HealthReport> {
    const checks: Record<string, () => Promise<HealthStatus>> = {
      [`store:${this.store.name}`]: async () => {
        await this.init();
        return (await this.store.healthCheck?.()) ?? { status: 'healthy' };
      },
    };
    for (const messenger of this.ctx.registry.messengerMap.values()) {
      checks[`messenger:${messenger.alias}`] = () => messenger.healthCheck();
    }
    return aggregateHealth(checks, this.ctx.options.healthTimeoutMs);
  }
}

function testDispatch(recipient: Recipient, now: Date): DispatchRecord {
  const id = `test-${now.getTime()}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    messageId: id,
    messenger: recipient.messenger,
    address: recipient.address,
    userId: recipient.userId,
    status: 'processing',
    readStatus: 'unread',
    attempts: 1,
    lastError: null,
    providerMessageId: null,
    nextAttemptAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: now,
    dispatchedAt: null,
    readAt: null,
  };
}

/** Creates an engine. Validates every option and registration now, before the first send. */
export function createSitemsg(options?: SitemsgOptions): Sitemsg {
  return new Sitemsg(options);
}
