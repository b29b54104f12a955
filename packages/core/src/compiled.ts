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
