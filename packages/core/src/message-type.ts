import type {
  ChatPayload,
  CompiledMessage,
  PushPayload,
  RenderContext,
  SmsPayload,
  TemplateRenderer,
} from './compiled.js';
import { ValidationError } from './errors.js';
import { assertJsonObject, type JsonObject } from './json.js';
import type { Recipient } from './types.js';

/**
 * The process-wide default engine, which `MessageType.getSubscribers()` and `schedule()` use. A
 * dynamic import: the engine imports the built-in message types, so a static one would be a cycle.
 */
async function defaultEngine() {
  const { getDefaultSitemsg } = await import('./default-instance.js');
  return getDefaultSitemsg();
}

/** The static side of a message type: what the registry and the engine read. */
export interface MessageTypeClass {
  readonly alias: string;
  readonly title: string;
  readonly priority: number;
  /** Attempts before `failed` (`null`: unlimited; 0 or 1: fail on the first error). */
  readonly sendRetryLimit: number | null;
  readonly allowUserSubscription: boolean;
  /** Template name for the renderer; `{messenger}` is replaced by the messenger alias. */
  readonly template: string | null;
  /** Messages of this type with the same mark join into one pending message ("5 new comments"). */
  readonly groupMark: string | null;
  /** Messenger aliases this type can go through; `null` for any. */
  readonly supportedMessengers: readonly string[] | null;
  /** Extra template data, computed just before rendering. */
  getTemplateContext(render: RenderContext): Record<string, unknown>;
  compile(
    render: RenderContext,
    renderer: TemplateRenderer | null,
  ): CompiledMessage | Promise<CompiledMessage>;
  mergeContexts(existing: JsonObject, incoming: JsonObject): JsonObject;
  new (...args: never[]): MessageType;
}

/**
 * Base class of every message type. Subclass it, set the static metadata, and either set
 * `template` (rendered by the configured TemplateRenderer) or override `compile` to build the
 * message in code. An instance carries the context, which must be JSON-safe: it is stored.
 *
 * ```ts
 * class OrderShipped extends MessageType<{ orderId: string }> {
 *   static override alias = 'order_shipped';
 *   static override title = 'Order shipped';
 *   static override compile(r: RenderContext): CompiledMessage {
 *     return { subject: 'Your order shipped', text: `Order ${r.context.orderId} is on its way.` };
 *   }
 * }
 * ```
 */
export abstract class MessageType<C extends JsonObject = JsonObject> {
  static alias: string = '';
  static title: string = '';
  static priority: number = 0;
  static sendRetryLimit: number | null = 10;
  static allowUserSubscription: boolean = false;
  static template: string | null = null;
  static groupMark: string | null = null;
  static supportedMessengers: readonly string[] | null = null;

  readonly context: C;

  constructor(context: C) {
    assertJsonObject(context, `${new.target.name} context`);
    this.context = context;
  }

  /** The alias this instance is scheduled under. */
  get alias(): string {
    return (this.constructor as MessageTypeClass).alias;
  }

  /** The subscribers of this type, as recipients (through the default engine). */
  static async getSubscribers(): Promise<Recipient[]> {
    return (await defaultEngine()).getSubscribers(this.alias);
  }

  /** Schedules this message through the default engine (postponed when `recipients` is omitted). */
  async schedule(recipients?: readonly Recipient[]): Promise<void> {
    await (await defaultEngine()).scheduleMessages(this, recipients);
  }

  static getTemplateContext(_render: RenderContext): Record<string, unknown> {
    return {};
  }

  /**
   * Builds the message for one messenger. The default renders `template` with the renderer when
   * one is set, and otherwise reads `subject`, `text` and `html` from the context.
   */
  static compile(
    render: RenderContext,
    renderer: TemplateRenderer | null,
  ): CompiledMessage | Promise<CompiledMessage> {
    if (this.template === null) return compileFromContext(render);
    if (!renderer)
      throw new ValidationError(`Message type "${this.alias}" has a template but no renderer is configured.`);
    return renderTemplate(this.template.replaceAll('{messenger}', render.messenger), render, renderer, this);
  }

  /** Grouping: texts are joined with a newline, other fields take the newest value. */
  static mergeContexts(existing: JsonObject, incoming: JsonObject): JsonObject {
    const merged: JsonObject = { ...existing, ...incoming };
    if (typeof existing.text === 'string' && typeof incoming.text === 'string') {
      merged.text = `${existing.text}\n${incoming.text}`;
    }
    return merged;
  }
}

async function renderTemplate(
  name: string,
  render: RenderContext,
  renderer: TemplateRenderer,
  type: MessageTypeClass | typeof MessageType,
): Promise<CompiledMessage> {
  // The defaults stay lazy getters (reading a link makes the render per-dispatch); context wins on clashes.
  const data: Record<string, unknown> = {};
  Object.defineProperties(data, Object.getOwnPropertyDescriptors(render));
  for (const [key, value] of Object.entries({ ...render.context, ...type.getTemplateContext(render) })) {
    Object.defineProperty(data, key, { value, enumerable: true, configurable: true, writable: true });
  }
  const text = await renderer.render(name, data);
  const subject = render.context.subject;
  return { text, ...(typeof subject === 'string' && { subject }) };
}

function compileFromContext(render: RenderContext): CompiledMessage {
  const { subject, text, html, sms, push, chat } = render.context;
  if (typeof text !== 'string' && typeof html !== 'string') {
    throw new ValidationError(`Message type context has neither "text" nor "html" to send.`);
  }
  // Channel parts given in the context pass through as they are; each messenger checks its own.
  const part = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  return {
    text: typeof text === 'string' ? text : htmlToText(String(html)),
    ...(typeof subject === 'string' && { subject }),
    ...(typeof html === 'string' && { html }),
    ...(part(sms) && { sms: sms as unknown as SmsPayload }),
    ...(part(push) && { push: push as unknown as PushPayload }),
    ...(part(chat) && { chat: chat as unknown as ChatPayload }),
  };
}

/** A plain-text alternative for an HTML body: tags dropped, entities for the five XML characters decoded. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}
