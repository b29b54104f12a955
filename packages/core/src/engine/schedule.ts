import { PlainTextMessage } from '../builtin-types.js';
import { ValidationError } from '../errors.js';
import { assertJsonObject, type JsonObject } from '../json.js';
import type { MessageType, MessageTypeClass } from '../message-type.js';
import type { MessengerClass } from '../messenger.js';
import { assertStorableKey } from '../storable.js';
import type { NewDispatch, ScheduleRequest, ScheduleResult } from '../store.js';
import type { Recipient, SitemsgUser } from '../types.js';
import { type EngineContext, nowDate } from './context.js';
import { compileBeforeScheduling } from './render.js';
import { suppressedAmong } from './suppression.js';

export interface ScheduleOptions {
  /** Who sent it (a user or a user id), stored with the message. */
  readonly sender?: SitemsgUser | string | number | null;
  /** Overrides the message type's priority. */
  readonly priority?: number;
  /** Not sent before this time. */
  readonly sendAt?: Date;
  /** Scheduling the same key twice returns the first message and writes nothing new. */
  readonly idempotencyKey?: string;
  /** Overrides the message type's group mark. */
  readonly groupMark?: string | null;
  /** The application's transaction client, for stores that support a transactional outbox. */
  readonly client?: unknown;
}

export type MessageInput = MessageType | string;

/**
 * Turns users or raw addresses into recipients of one messenger: one per address (a push user
 * with three devices gives three). An unaddressable one is a ValidationError.
 */
export function resolveRecipients(
  ctx: EngineContext,
  messenger: string | MessengerClass,
  who: SitemsgUser | string | readonly (SitemsgUser | string)[],
): Recipient[] {
  const resolved = ctx.registry.resolveMessenger(messenger);
  const list = Array.isArray(who) ? who : [who as SitemsgUser | string];
  return list.flatMap((entry) => {
    const addresses = resolved.resolveAddresses(entry);
    if (!addresses.ok) throw addresses.error;
    const userId = typeof entry === 'string' ? null : userIdOf(entry, 'recipient');
    return addresses.value.map((address) => ({ messenger: resolved.alias, address, userId }));
  });
}

/**
 * Schedules the messages for the recipients (or postpones them when recipients is undefined).
 * Everything is checked before anything is written, and one call is one atomic write: several
 * messages go to the store's `scheduleMany`, so a failure leaves nothing behind to duplicate.
 */
export async function scheduleMessages(
  ctx: EngineContext,
  input: MessageInput | readonly MessageInput[],
  recipients: readonly Recipient[] | undefined,
  options: ScheduleOptions = {},
): Promise<ScheduleResult[]> {
  checkScheduleOptions(options);
  const messages = (Array.isArray(input) ? input : [input]).map(toMessage);
  if (messages.length === 0) throw new ValidationError('scheduleMessages() needs at least one message.');
  if (recipients !== undefined && recipients.length === 0) {
    throw new ValidationError(
      'The recipient list is empty: pass recipients, or leave them out to use subscriptions.',
    );
  }
  if (options.idempotencyKey !== undefined && messages.length > 1) {
    throw new ValidationError('idempotencyKey applies to one message: schedule the messages one by one.');
  }
  const dispatches = recipients === undefined ? null : planDispatches(ctx, recipients);
  const plans = messages.map((message, i) =>
    planMessage(ctx, message, dispatches, messages.length > 1 ? `message ${i + 1} ` : ''),
  );
  for (const [i, plan] of plans.entries()) {
    await checkFits(ctx, plan, messages.length > 1 ? `message ${i + 1} ` : '');
  }
  const requests = await Promise.all(plans.map((plan) => toRequest(ctx, plan, options)));
  const storeOptions = options.client === undefined ? undefined : { client: options.client };
  const results =
    requests.length === 1
      ? [await ctx.store.schedule(requests[0]!, storeOptions)]
      : await ctx.store.scheduleMany(requests, storeOptions);
  // On the application's transaction nothing is stored until it commits: the application
  // announces it after its COMMIT (Sitemsg.announceScheduled), so listeners never see a rollback.
  announce(ctx, results, options.client === undefined ? 'message:scheduled' : 'message:staged');
  return results;
}

/** Emits `event` for every result that wrote something (a duplicate key wrote nothing). */
export function announce(
  ctx: EngineContext,
  results: readonly ScheduleResult[],
  event: 'message:scheduled' | 'message:staged',
): void {
  for (const result of results) {
    if (result.outcome === 'duplicate') continue;
    ctx.events.emit(event, {
      message: result.message,
      dispatches: result.dispatches.length,
      outcome: result.outcome,
    });
  }
}

interface Plan {
  readonly type: MessageTypeClass;
  readonly message: MessageType;
  readonly dispatches: readonly NewDispatch[] | null;
}

const SCHEDULE_OPTIONS = new Set(['sender', 'priority', 'sendAt', 'idempotencyKey', 'groupMark', 'client']);
const INT32 = 2 ** 31;
/** Send-at times outside these years are refused as mistakes (a timestamp in seconds, a typo). */
const EARLIEST_SEND_AT = Date.UTC(1970, 0, 1);
const LATEST_SEND_AT = Date.UTC(10_000, 0, 1);

/** Every option is checked before anything is written: a typo is an error, not a silent default. */
function checkScheduleOptions(options: ScheduleOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('scheduleMessages(): options must be an object.');
  }
  for (const key of Object.keys(options)) {
    if (!SCHEDULE_OPTIONS.has(key)) {
      throw new ValidationError(
        `scheduleMessages(): unknown option "${key}" (known: ${[...SCHEDULE_OPTIONS].join(', ')}).`,
      );
    }
  }
  const { priority, sendAt, idempotencyKey, groupMark, sender } = options;
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= -INT32 && priority < INT32)) {
    throw new ValidationError(`priority must be a 32-bit integer (got ${String(priority)}).`);
  }
  if (sendAt !== undefined) {
    const time = sendAt instanceof Date ? sendAt.getTime() : Number.NaN;
    if (!(time >= EARLIEST_SEND_AT && time < LATEST_SEND_AT)) {
      throw new ValidationError('sendAt must be a valid Date between the years 1970 and 9999.');
    }
  }
  if (idempotencyKey !== undefined) assertStorableKey(idempotencyKey, 'idempotencyKey');
  if (groupMark !== undefined && groupMark !== null) assertStorableKey(groupMark, 'groupMark');
  if (sender !== undefined && sender !== null) senderId(sender);
}

/** The recipients as dispatches, duplicates dropped; every address and user id checked. */
function planDispatches(ctx: EngineContext, recipients: readonly Recipient[]): NewDispatch[] {
  const seen = new Set<string>();
  const dispatches: NewDispatch[] = [];
  for (const recipient of recipients) {
    validateRecipient(ctx, recipient);
    const key = `${recipient.messenger}\u0000${recipient.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    dispatches.push({ messenger: recipient.messenger, address: recipient.address, userId: recipient.userId });
  }
  return dispatches;
}

/** Checks the message itself: its type is the registered one, its context storable now (it may have changed since construction). */
function planMessage(
  ctx: EngineContext,
  message: MessageType,
  dispatches: readonly NewDispatch[] | null,
  which: string,
): Plan {
  const type = ctx.registry.messageType(message.alias);
  if (type !== message.constructor) {
    throw new ValidationError(
      `${which}Message type "${type.alias}" is registered as another class than ${message.constructor.name}.`,
    );
  }
  assertJsonObject(message.context, `${which}(${type.alias}) context`);
  if (dispatches && type.supportedMessengers) {
    const unsupported = dispatches.find((d) => !type.supportedMessengers!.includes(d.messenger));
    if (unsupported) {
      throw new ValidationError(
        `Message type "${type.alias}" cannot be sent through "${unsupported.messenger}".`,
      );
    }
  }
  return { type, message, dispatches };
}

/**
 * A message too big for a channel with limits (an SMS over its segments, a push over 4 KB) is
 * refused now, when its body does not depend on the dispatch and so can be compiled already.
 */
async function checkFits(ctx: EngineContext, plan: Plan, which: string): Promise<void> {
  if (!plan.dispatches) return;
  const aliases = new Set(plan.dispatches.map((d) => d.messenger));
  for (const alias of aliases) {
    const messenger = ctx.registry.messenger(alias);
    if (!messenger.checksCompiled) continue;
    const compiled = await compileBeforeScheduling(ctx, plan.type, plan.message.context, alias);
    const reason = compiled && messenger.checkCompiled(compiled);
    if (reason) {
      throw new ValidationError(
        `The ${which}"${plan.type.alias}" message cannot be sent through "${alias}": ${reason}`,
        {
          code: 'MESSAGE_NOT_SENDABLE',
        },
      );
    }
  }
}

function validateRecipient(ctx: EngineContext, recipient: Recipient): void {
  if (typeof recipient !== 'object' || recipient === null) {
    throw new ValidationError('A recipient must come from recipients(): { messenger, address, userId }.');
  }
  const messenger = ctx.registry.messenger(recipient.messenger);
  if (typeof recipient.address !== 'string' || !messenger.validateAddress(recipient.address)) {
    throw new ValidationError(`[${messenger.alias}] "${String(recipient.address)}" is not a valid address.`, {
      code: 'BAD_ADDRESS',
    });
  }
  assertStorableKey(recipient.address, `[${messenger.alias}] address`);
  if (recipient.userId !== null) assertStorableKey(recipient.userId, 'recipient userId');
}

async function toRequest(ctx: EngineContext, plan: Plan, options: ScheduleOptions): Promise<ScheduleRequest> {
  const { type, message } = plan;
  const dispatches = plan.dispatches && (await dropSuppressed(ctx, type.alias, plan.dispatches));
  const groupMark = options.groupMark === undefined ? type.groupMark : options.groupMark;
  return {
    message: {
      type: type.alias,
      context: message.context,
      senderId: senderId(options.sender),
      priority: options.priority ?? type.priority,
      sendAt: options.sendAt ?? null,
      idempotencyKey: options.idempotencyKey ?? null,
      groupMark: groupMark ?? null,
      dispatchesReady: dispatches !== null,
    },
    dispatches: dispatches ?? [],
    ...(groupMark && { merge: (existing: JsonObject) => mergeChecked(type, existing, message.context) }),
    now: nowDate(ctx),
    ...(ctx.registry.media && { media: ctx.registry.media }),
  };
}

/** A type's own merge may build anything: what it returns is checked like any context. */
function mergeChecked(type: MessageTypeClass, existing: JsonObject, added: JsonObject): JsonObject {
  const merged: unknown = type.mergeContexts(existing, added);
  assertJsonObject(merged, `${type.alias}.mergeContexts() result`);
  return merged;
}

/**
 * An address that unsubscribed from this type on a messenger gets no dispatch, even as an explicit
 * recipient: dropped here, or by the store's own write when it says it does that.
 */
async function dropSuppressed(
  ctx: EngineContext,
  messageType: string,
  dispatches: readonly NewDispatch[],
): Promise<readonly NewDispatch[]> {
  if (ctx.store.filtersSuppressedOnSchedule) return dispatches;
  const suppressed = await suppressedAmong(ctx, messageType, dispatches);
  return suppressed.size === 0 ? dispatches : dispatches.filter((d) => !suppressed.has(d));
}

function toMessage(input: MessageInput): MessageType {
  if (typeof input === 'string') return new PlainTextMessage(input);
  if (input === null || typeof input !== 'object' || typeof input.alias !== 'string') {
    throw new ValidationError('A message must be a MessageType instance or a string.');
  }
  return input;
}

function senderId(sender: ScheduleOptions['sender']): string | null {
  if (sender === undefined || sender === null) return null;
  if (typeof sender === 'object') return userIdOf(sender, 'sender');
  const id = typeof sender === 'number' && Number.isFinite(sender) ? String(sender) : sender;
  assertStorableKey(id, 'sender');
  return id;
}

/**
 * A user's id as sitemsg stores it. A user without a usable id (`{ _id }`, `id: undefined`) would
 * otherwise become "undefined" and merge with every other such user: refused.
 */
export function userIdOf(user: SitemsgUser, what: string): string {
  const id: unknown = user?.id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id.length > 0) {
    assertStorableKey(id, `${what} id`);
    return id;
  }
  throw new ValidationError(
    `${what} has no usable id (got ${id === undefined ? 'undefined' : typeof id}): sitemsg needs users as { id: string | number, ... }.`,
  );
}
