import {
  DeliveryError,
  type DispatchResult,
  describeError,
  err,
  type HealthStatus,
  Messenger,
  type MessengerOptions,
  type OutgoingDispatch,
  ok,
  SitemsgError,
  type SitemsgUser,
  ValidationError,
} from '@sitemsg/core/plugin';
import { checkOptionKeys } from './option-keys.js';
import { InboxService } from './service.js';

export interface InboxMessengerOptions extends MessengerOptions {
  /** The inbox dispatches are written to. Default: a new InboxService on the memory store, owned (closed) by the messenger. */
  readonly inbox?: InboxService;
  /** Close the inbox when the engine closes the messenger. Default: only when the messenger created it. */
  readonly ownsInbox?: boolean;
}

const TITLE_FALLBACK_LENGTH = 120;

/**
 * Delivers dispatches into the in-app inbox, so the engine treats the bell like any channel:
 * `recipients('inbox', users)` with subscriptions, preferences and unsubscribes applying as for
 * e-mail. The address is the user id (`String(user.id)`).
 */
export class InboxMessenger extends Messenger {
  static override alias: string = 'inbox';
  readonly inbox: InboxService;
  private readonly ownsInbox: boolean;

  constructor(options: InboxMessengerOptions = {}) {
    checkOptionKeys('InboxMessenger', options, ['inbox', 'ownsInbox', 'alias', 'title', 'primary']);
    const { inbox, ownsInbox, ...rest } = options;
    super({ title: 'Inbox', ...rest });
    this.inbox = inbox ?? new InboxService();
    this.ownsInbox = ownsInbox ?? inbox === undefined;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return user.id === undefined || user.id === null ? undefined : String(user.id);
  }

  override validateAddress(address: string): boolean {
    return address.length > 0 && address.length <= 255 && address.trim() === address;
  }

  override init(): Promise<void> {
    return this.inbox.init();
  }

  override async close(): Promise<void> {
    if (this.ownsInbox) await this.inbox.close();
  }

  override healthCheck(): Promise<HealthStatus> {
    return this.inbox.healthCheck();
  }

  /**
   * One inbox message per dispatch, keyed by the dispatch id: a dispatch retried after a crash
   * finds its message instead of writing a second one.
   */
  send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return Promise.all(batch.map((item) => this.deliver(item)));
  }

  private async deliver({ dispatch, message, compiled }: OutgoingDispatch): Promise<DispatchResult> {
    const title = compiled.subject ?? compiled.title ?? firstLine(compiled.text);
    try {
      const stored = await this.inbox.send(
        dispatch.address,
        title,
        compiled.text,
        { dispatchId: dispatch.id, messageId: message.id, messageType: message.type },
        { idempotencyKey: `dispatch:${dispatch.id}` },
      );
      return { dispatchId: dispatch.id, result: ok({ providerMessageId: stored.id }) };
    } catch (cause) {
      // Bad input (an empty address) will not get better; a store outage may.
      const permanent =
        cause instanceof ValidationError ||
        (SitemsgError.isInstance(cause) && cause.code === 'VALIDATION_ERROR');
      return {
        dispatchId: dispatch.id,
        result: err(
          new DeliveryError(
            `[sitemsg] [${this.alias}] could not write to the inbox: ${describeError(cause)}`,
            {
              retryable: !permanent,
              cause,
            },
          ),
        ),
      };
    }
  }
}

/** A title for messages that have neither a subject nor a title: their first line, shortened. */
function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > TITLE_FALLBACK_LENGTH ? `${line.slice(0, TITLE_FALLBACK_LENGTH - 1)}…` : line;
}
