import type { EventHandler, SitemsgEventMap } from '@sitemsg/core/plugin';
import type { InboxEventTarget } from './events.js';

type AnyHandler = (payload: never) => void | Promise<void>;

/**
 * The service's own events when no engine is given (`inbox.on(...)`). Handlers observe: one that
 * throws or rejects is reported to `onHandlerError` and never breaks the call that emitted.
 */
export class InboxEventBus implements InboxEventTarget {
  private readonly handlers = new Map<string, Set<AnyHandler>>();
  private readonly onHandlerError: (event: string, error: unknown) => void;

  constructor(onHandlerError: (event: string, error: unknown) => void) {
    this.onHandlerError = onHandlerError;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof SitemsgEventMap>(event: K, handler: EventHandler<K>): () => void {
    const set = this.handlers.get(event) ?? new Set<AnyHandler>();
    set.add(handler as AnyHandler);
    this.handlers.set(event, set);
    return () => set.delete(handler as AnyHandler);
  }

  emit<K extends keyof SitemsgEventMap>(event: K, payload: SitemsgEventMap[K]): void {
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        const result = (handler as EventHandler<K>)(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.onHandlerError(event, error));
      } catch (error) {
        this.onHandlerError(event, error);
      }
    }
  }
}
