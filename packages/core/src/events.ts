import type { BounceType, FeedbackKind } from './feedback.js';
import type { DispatchReceipt, DispatchRecord, MessageRecord } from './types.js';

/** Event names, `noun:verb-past`. */
export const SitemsgEvent = {
  messageScheduled: 'message:scheduled',
  messageStaged: 'message:staged',
  dispatchSent: 'dispatch:sent',
  dispatchError: 'dispatch:error',
  dispatchFailed: 'dispatch:failed',
  dispatchDelivered: 'dispatch:delivered',
  feedbackRecorded: 'feedback:recorded',
  dispatchRead: 'dispatch:read',
  subscriptionRemoved: 'subscription:removed',
  linkRejected: 'link:rejected',
  inboxCreated: 'inbox:created',
  inboxRead: 'inbox:read',
} as const;
export type SitemsgEventName = (typeof SitemsgEvent)[keyof typeof SitemsgEvent];

/**
 * Payload of each event. Plugins that emit their own events augment this interface:
 * `declare module '@sitemsg/core' { interface SitemsgEventMap { 'sms:delivered': {...} } }` (the plugin
 * entry re-exports the same interface, so the augmentation shows through both entries).
 */
export interface SitemsgEventMap {
  /** The message is stored: written by the store itself, or announced after the application's commit. */
  'message:scheduled': { message: MessageRecord; dispatches: number; outcome: 'created' | 'grouped' };
  /**
   * Written on the application's transaction client (`scheduleMessages(..., { client })`): not
   * stored until that transaction commits, gone if it rolls back. After the commit, call
   * `sitemsg.announceScheduled(results)` to emit `message:scheduled`.
   */
  'message:staged': { message: MessageRecord; dispatches: number; outcome: 'created' | 'grouped' };
  'dispatch:sent': {
    dispatch: DispatchRecord;
    message: MessageRecord;
    providerMessageId?: string;
    /** What the provider reported (what it costs), as kept on the dispatch. */
    receipt?: DispatchReceipt;
  };
  'dispatch:error': { dispatch: DispatchRecord; message: MessageRecord; error: string; nextAttemptAt: Date };
  'dispatch:failed': { dispatch: DispatchRecord; message: MessageRecord; error: string };
  /** The provider reported final delivery (a webhook), after `dispatch:sent`. */
  'dispatch:delivered': {
    dispatchId: string | null;
    address: string;
    messenger: string;
    providerMessageId?: string;
    at: Date;
  };
  'dispatch:read': { dispatch: DispatchRecord };
  /** Delivery feedback was recorded (`recordFeedback`, a webhook, or a messenger's answer). */
  'feedback:recorded': {
    kind: FeedbackKind;
    messenger: string;
    address: string;
    /** The dispatch it is about, or null for feedback about an address alone (an inbound STOP). */
    dispatch: DispatchRecord | null;
    bounce: BounceType | null;
    providerCode: string | null;
    /** Whether the address is now suppressed on the messenger for every message type. */
    suppressed: boolean;
    at: Date;
  };
  'subscription:removed': {
    messageType: string;
    messenger: string;
    address: string;
    userId: string | null;
    dispatchId: string | null;
  };
  'link:rejected': { action: 'unsubscribe' | 'mark-read'; dispatchId: string; reason: string };
  'inbox:created': { inboxMessageId: string; userId: string };
  'inbox:read': { inboxMessageId: string; userId: string };
}

export type EventHandler<K extends keyof SitemsgEventMap> = (
  payload: SitemsgEventMap[K],
) => void | Promise<void>;

type AnyHandler = (payload: never) => void | Promise<void>;

/**
 * Typed in-process events. Handlers observe: one that throws or rejects is reported to
 * `onHandlerError` and never breaks the send that emitted the event.
 */
export class EventBus {
  private readonly handlers = new Map<string, Set<AnyHandler>>();
  private readonly onHandlerError: (event: string, error: unknown) => void;

  constructor(onHandlerError: (event: string, error: unknown) => void) {
    this.onHandlerError = onHandlerError;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof SitemsgEventMap>(event: K, handler: EventHandler<K>): () => void {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler as AnyHandler);
    this.handlers.set(event, set);
    return () => set.delete(handler as AnyHandler);
  }

  emit<K extends keyof SitemsgEventMap>(event: K, payload: SitemsgEventMap[K]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of set) {
      try {
        const result = (handler as EventHandler<K>)(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.onHandlerError(event, error));
      } catch (error) {
        this.onHandlerError(event, error);
      }
    }
  }

  hasListeners(event: keyof SitemsgEventMap): boolean {
    return (this.handlers.get(event)?.size ?? 0) > 0;
  }
}
