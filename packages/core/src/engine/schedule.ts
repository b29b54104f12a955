import { PlainTextMessage } from '../builtin-types.js';
import { ValidationError } from '../errors.js';
import type { MessageType, MessageTypeClass } from '../message-type.js';
import type { MessengerClass } from '../messenger.js';
import type { NewDispatch, ScheduleResult } from '../store.js';
import type { Recipient, SitemsgUser } from '../types.js';
import { type EngineContext, nowDate } from './context.js';

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

/** Turns users or raw addresses into recipients of one messenger; an unaddressable one is a ValidationError. */
export function resolveRecipients(
  ctx: EngineContext,
  messenger: string | MessengerClass,
  who: SitemsgUser | string | readonly (SitemsgUser | string)[],
): Recipient[] {
  const resolved = ctx.registry.resolveMessenger(messenger);
  const list = Array.isArray(who) ? who : [who as SitemsgUser | string];
  return list.map((entry) => {
    const address = resolved.resolveAddress(entry);
    if (!address.ok) throw address.error;
    const userId = typeof entry === 'string' ? null : String(entry.id);
    return { messenger: resolved.alias, address: address.value, userId };
  });
}

/** Schedules each message for the recipients (or postpones it when recipients is undefined). */
export async function scheduleMessages(
  ctx: EngineContext,
  input: MessageInput | readonly MessageInput[],
  recipients: readonly Recipient[] | undefined,
  options: ScheduleOptions = {},
): Promise<ScheduleResult[]> {
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
  const plans = messages.map((message) => planMessage(ctx, message, recipients, options));
  const results: ScheduleResult[] = [];
  for (const plan of plans) results.push(await writePlan(ctx, plan, options));
  return results;
}

interface Plan {
  readonly type: MessageTypeClass;
  readonly message: MessageType;
  readonly dispatches: readonly NewDispatch[] | null;
}

/** Validates everything before anything is written: unknown aliases and bad options throw here. */
function planMessage(
  ctx: EngineContext,
  message: MessageType,
  recipients: readonly Recipient[] | undefined,
  options: ScheduleOptions,
): Plan {
  const type = ctx.registry.messageType(message.alias);
  if (type !== message.constructor) {
    throw new ValidationError(
      `Message type "${type.alias}" is registered as another class than ${message.constructor.name}.`,
    );
  }
  if (options.priority !== undefined && !Number.isInteger(options.priority)) {
    throw new ValidationError('priority must be an integer.');
  }
  if (
    options.sendAt !== undefined &&
    !(options.sendAt instanceof Date && !Number.isNaN(options.sendAt.getTime()))
  ) {
    throw new ValidationError('sendAt must be a valid Date.');
  }
  if (recipients === undefined) return { type, message, dispatches: null };
  const seen = new Set<string>();
  const dispatches: NewDispatch[] = [];
  for (const recipient of recipients) {
    validateRecipient(ctx, type, recipient);
    const key = `${recipient.messenger}\u0000${recipient.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    dispatches.push({ messenger: recipient.messenger, address: recipient.address, userId: recipient.userId });
  }
  return { type, message, dispatches };
}

function validateRecipient(ctx: EngineContext, type: MessageTypeClass, recipient: Recipient): void {
  const messenger = ctx.registry.messenger(recipient.messenger);
  if (type.supportedMessengers && !type.supportedMessengers.includes(messenger.alias)) {
    throw new ValidationError(`Message type "${type.alias}" cannot be sent through "${messenger.alias}".`);
  }
  if (typeof recipient.address !== 'string' || !messenger.validateAddress(recipient.address)) {
    throw new ValidationError(`[${messenger.alias}] "${String(recipient.address)}" is not a valid address.`, {
      code: 'BAD_ADDRESS',
    });
  }
}

async function writePlan(ctx: EngineContext, plan: Plan, options: ScheduleOptions): Promise<ScheduleResult> {
  const { type, message } = plan;
  const dispatches = plan.dispatches && (await dropSuppressed(ctx, type.alias, plan.dispatches));
  const groupMark = options.groupMark === undefined ? type.groupMark : options.groupMark;
  const result = await ctx.store.schedule(
    {
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
      ...(groupMark && { merge: (existing) => type.mergeContexts(existing, message.context) }),
      now: nowDate(ctx),
    },
    options.client === undefined ? undefined : { client: options.client },
  );
  if (result.outcome !== 'duplicate') {
    ctx.events.emit('message:scheduled', {
      message: result.message,
      dispatches: result.dispatches.length,
      outcome: result.outcome,
    });
  }
  return result;
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
  const suppressed = await ctx.store.findSuppressed(messageType, dispatches);
  if (suppressed.length === 0) return dispatches;
  const blocked = new Set(suppressed.map((s) => `${s.messenger}\u0000${s.address}`));
  return dispatches.filter((d) => !blocked.has(`${d.messenger}\u0000${d.address}`));
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
  return typeof sender === 'object' ? String(sender.id) : String(sender);
}
