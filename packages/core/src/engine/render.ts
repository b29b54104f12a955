import type { CompiledMessage, RenderContext } from '../compiled.js';
import type { MessageTypeClass } from '../message-type.js';
import type { OutgoingDispatch } from '../messenger.js';
import { buildLinkUrl, type LinkAction, type LinkParams, sealRecipient, signLink } from '../signed-links.js';
import type { DispatchRecord, MessageRecord } from '../types.js';
import type { EngineContext } from './context.js';

/**
 * The signed URL for one action on one dispatch, or '' when no secret is configured. An
 * unsubscribe link also carries its recipient, sealed, so it keeps working after cleanup.
 */
export function linkFor(
  ctx: EngineContext,
  action: LinkAction,
  dispatch: DispatchRecord,
  messageType: string,
): string {
  const { secret, siteUrl, linkBasePath, linkTtlSeconds, clock } = ctx.options;
  if (secret === null) return '';
  const expires = linkTtlSeconds === null ? undefined : Math.floor(clock.now() / 1000) + linkTtlSeconds;
  const { messenger, address, userId } = dispatch;
  const params: LinkParams = {
    messageId: dispatch.messageId,
    dispatchId: dispatch.id,
    ...(expires !== undefined && { expires }),
    ...(action === 'unsubscribe' && {
      recipient: sealRecipient(secret, { messageType, messenger, address, userId }),
    }),
  };
  return buildLinkUrl(siteUrl, linkBasePath, action, params, signLink(secret, action, params));
}

/**
 * Compiles the dispatches of one messenger. A message whose compile did not read anything
 * dispatch-specific is compiled once and shared; otherwise each dispatch gets its own (so nobody
 * receives another recipient's links). A compile error belongs to its dispatch only.
 */
export async function compileAll(
  ctx: EngineContext,
  items: readonly { dispatch: DispatchRecord; message: MessageRecord; type: MessageTypeClass }[],
): Promise<{ outgoing: OutgoingDispatch[]; failures: { dispatchId: string; error: unknown }[] }> {
  const shared = new Map<string, CompiledMessage>();
  const outgoing: OutgoingDispatch[] = [];
  const failures: { dispatchId: string; error: unknown }[] = [];
  for (const { dispatch, message, type } of items) {
    const links = new LazyLinks(ctx, dispatch, type.alias, type.allowUserSubscription);
    const known = shared.get(message.id);
    if (known) {
      outgoing.push(new Outgoing(dispatch, message, known, links));
      continue;
    }
    try {
      const { render, usedDispatch } = renderContext(ctx, dispatch, message, links);
      const compiled = await type.compile(render, ctx.options.renderer);
      if (!usedDispatch()) shared.set(message.id, compiled);
      outgoing.push(new Outgoing(dispatch, message, compiled, links));
    } catch (error) {
      failures.push({ dispatchId: dispatch.id, error });
    }
  }
  return { outgoing, failures };
}

/**
 * One dispatch as its messenger receives it. A class rather than an object literal with getters:
 * a batch makes one per dispatch, and this shape costs one allocation instead of several closures.
 * Links are signed only when a messenger reads them (SMS and push usually do not).
 */
class Outgoing implements OutgoingDispatch {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  readonly compiled: CompiledMessage;
  readonly #links: LazyLinks;

  constructor(dispatch: DispatchRecord, message: MessageRecord, compiled: CompiledMessage, links: LazyLinks) {
    this.dispatch = dispatch;
    this.message = message;
    this.compiled = compiled;
    this.#links = links;
  }

  get unsubscribeUrl(): string {
    return this.#links.unsubscribe();
  }

  get markReadUrl(): string {
    return this.#links.markRead();
  }

  /** Logged or serialized, it shows its links like any other field. */
  toJSON(): OutgoingDispatch {
    const { dispatch, message, compiled, unsubscribeUrl, markReadUrl } = this;
    return { dispatch, message, compiled, unsubscribeUrl, markReadUrl };
  }
}

/** A dispatch's signed links, each signed on first use. */
class LazyLinks {
  private readonly ctx: EngineContext;
  private readonly dispatch: DispatchRecord;
  private readonly messageType: string;
  /** A type users cannot subscribe to (a password reset) gets no unsubscribe link: there is nothing to leave. */
  private readonly unsubscribable: boolean;
  private unsubscribeUrl: string | undefined;
  private markReadUrl: string | undefined;

  constructor(ctx: EngineContext, dispatch: DispatchRecord, messageType: string, unsubscribable: boolean) {
    this.ctx = ctx;
    this.dispatch = dispatch;
    this.messageType = messageType;
    this.unsubscribable = unsubscribable;
  }

  unsubscribe(): string {
    this.unsubscribeUrl ??= this.unsubscribable
      ? linkFor(this.ctx, 'unsubscribe', this.dispatch, this.messageType)
      : '';
    return this.unsubscribeUrl;
  }

  markRead(): string {
    this.markReadUrl ??= linkFor(this.ctx, 'mark-read', this.dispatch, this.messageType);
    return this.markReadUrl;
  }
}

function renderContext(
  ctx: EngineContext,
  dispatch: DispatchRecord,
  message: MessageRecord,
  links: LazyLinks,
): { render: RenderContext; usedDispatch: () => boolean } {
  let used = false;
  const touch = <T>(value: T): T => {
    used = true;
    return value;
  };
  const render: RenderContext = {
    siteUrl: ctx.options.siteUrl,
    messenger: dispatch.messenger,
    message,
    context: message.context,
    get dispatch() {
      return touch(dispatch);
    },
    get recipient() {
      return touch(dispatch.address);
    },
    get directiveUnsubscribe() {
      return touch(links.unsubscribe());
    },
    get directiveMarkRead() {
      return touch(links.markRead());
    },
  };
  return { render, usedDispatch: () => used };
}

/** Thrown by the scheduling probe when a compile reads what only a dispatch knows. */
const PER_DISPATCH: unique symbol = Symbol('per-dispatch');

/**
 * Compiles a message before it is stored, for one messenger, when its body does not depend on
 * the dispatch (no links, recipient or record read): the compiled message, or null when it does
 * depend on it — or when compiling fails, which the send reports on each dispatch as usual.
 */
export async function compileBeforeScheduling(
  ctx: EngineContext,
  type: MessageTypeClass,
  context: MessageRecord['context'],
  messenger: string,
): Promise<CompiledMessage | null> {
  const perDispatch = (): never => {
    throw PER_DISPATCH;
  };
  const render: RenderContext = {
    siteUrl: ctx.options.siteUrl,
    messenger,
    context,
    get message() {
      return perDispatch();
    },
    get dispatch() {
      return perDispatch();
    },
    get recipient() {
      return perDispatch();
    },
    get directiveUnsubscribe() {
      return perDispatch();
    },
    get directiveMarkRead() {
      return perDispatch();
    },
  };
  try {
    return await type.compile(render, ctx.options.renderer);
  } catch {
    return null;
  }
}
