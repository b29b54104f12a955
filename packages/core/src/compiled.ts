import type { DispatchRecord, MessageRecord } from './types.js';

export interface Attachment {
  readonly filename: string;
  /** Base64 content (contexts are JSON, so binary travels as base64). */
  readonly contentBase64: string;
  readonly contentType?: string;
  /** Content-ID for inline use (`<img src="cid:...">` in HTML e-mail). */
  readonly contentId?: string;
}

/** What a message type produces for one messenger: every channel reads the fields it understands. */
export interface CompiledMessage {
  readonly text: string;
  readonly subject?: string;
  readonly html?: string;
  /** Push and chat titles. */
  readonly title?: string;
  /** Push data payload. */
  readonly data?: Readonly<Record<string, string>>;
  readonly attachments?: readonly Attachment[];
  /** Extra channel headers (e-mail `Reply-To` and the like). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How the SMS reads, when it differs from `text` (read it with `smsPayload`). */
  readonly sms?: SmsPayload;
  /** The push notification (read it with `pushPayload`: title/subject and text when absent). */
  readonly push?: PushPayload;
  /** The chat message (read it with `chatPayload`: plain `text` when absent). */
  readonly chat?: ChatPayload;
}

/** An SMS (or WhatsApp) text. */
export interface SmsPayload {
  readonly text: string;
}

/** A push notification, in the terms FCM, APNs and Web Push share. */
export interface PushPayload {
  readonly title?: string;
  readonly body: string;
  /** Key/value data for the app (strings, as FCM requires). */
  readonly data?: Readonly<Record<string, string>>;
  /** The app icon's badge count (APNs, FCM's iOS config). */
  readonly badge?: number;
  /** A sound name, `default` for the platform's. */
  readonly sound?: string;
  /** Notifications with the same key replace each other (FCM collapse_key, APNs collapse-id, Web Push Topic). */
  readonly collapseKey?: string;
  /** How long the push service keeps it for an offline device. */
  readonly ttlSeconds?: number;
  /** `high` wakes the device (FCM high, APNs 10, Web Push urgency high); default `normal`. */
  readonly priority?: 'high' | 'normal';
  /** Opened when the notification is tapped (Web Push, FCM's click action). */
  readonly url?: string;
  /** Groups related notifications in the notification centre (APNs `thread-id`). */
  readonly threadId?: string;
  /** Lets the app's notification service extension change it before it is shown (APNs `mutable-content`). */
  readonly mutableContent?: boolean;
}

/** A chat message. `format` says how `text` is marked up; the messenger escapes what it must. */
export interface ChatPayload {
  readonly text: string;
  readonly format?: 'plain' | 'html' | 'markdown';
  /** Deliver without a notification sound (Telegram `disable_notification`). */
  readonly silent?: boolean;
}

/**
 * What a message type's `compile` sees: the stored context plus the defaults every message gets.
 * Reading `dispatch`, `recipient`, `directiveUnsubscribe` or `directiveMarkRead` makes the
 * compiled result per-dispatch; otherwise it is compiled once per message and messenger.
 */
export interface RenderContext {
  readonly siteUrl: string;
  readonly messenger: string;
  readonly message: MessageRecord;
  readonly context: Readonly<Record<string, unknown>>;
  readonly dispatch: DispatchRecord;
  readonly recipient: string;
  /** The signed unsubscribe URL for this dispatch ('' when the type does not allow unsubscription). */
  readonly directiveUnsubscribe: string;
  /** The signed mark-read URL (tracking pixel target) for this dispatch. */
  readonly directiveMarkRead: string;
}

/** A pluggable template engine (eta, handlebars, nunjucks...): sitemsg ships none of its own. */
export interface TemplateRenderer {
  render(templateName: string, data: Record<string, unknown>): string | Promise<string>;
}
