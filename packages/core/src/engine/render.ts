import type { CompiledMessage, RenderContext } from '../compiled.js';
import { buildLinkUrl, type LinkAction, signLink } from '../links.js';
import type { MessageTypeClass } from '../message-type.js';
import type { OutgoingDispatch } from '../messenger.js';
import type { DispatchRecord, MessageRecord } from '../types.js';
import type { EngineContext } from './context.js';

/** The signed URL for one action on one dispatch, or '' when no secret is configured. */
export function linkFor(ctx: EngineContext, action: LinkAction, dispatch: DispatchRecord): string {
  const { secret, siteUrl, linkBasePath, linkTtlSeconds, clock } = ctx.options;
  if (secret === null) return '';
  const expires = linkTtlSeconds === null ? undefined : Math.floor(clock.now() / 1000) + linkTtlSeconds;
  const params = {
    messageId: dispatch.messageId,
    dispatchId: dispatch.id,
    ...(expires !== undefined && { expires }),
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
    const links = lazyLinks(ctx, dispatch, type.allowUserSubscription);
    try {
      let compiled = shared.get(message.id);
      if (!compiled) {
        const { render, usedDispatch } = renderContext(ctx, dispatch, message, links);
        compiled = await type.compile(render, ctx.options.renderer);
        if (!usedDispatch()) shared.set(message.id, compiled);
      }
      const done = compiled;
      // Links are signed only when a messenger reads them (SMS and push usually do not).
      outgoing.push({
        dispatch,
        message,
        compiled: done,
        get unsubscribeUrl() {
          return links.unsubscribe() || null;
        },
        get markReadUrl() {
          return links.markRead();
        },
      });
    } catch (error) {
      failures.push({ dispatchId: dispatch.id, error });
    }
  }
  return { outgoing, failures };
}

interface LazyLinks {
  unsubscribe(): string;
  markRead(): string;
}

/** A type users cannot subscribe to (a password reset) gets no unsubscribe link: there is nothing to leave. */
function lazyLinks(ctx: EngineContext, dispatch: DispatchRecord, unsubscribable: boolean): LazyLinks {
  let unsubscribe: string | undefined;
  let markRead: string | undefined;
  return {
    unsubscribe: () => (unsubscribe ??= unsubscribable ? linkFor(ctx, 'unsubscribe', dispatch) : ''),
    markRead: () => (markRead ??= linkFor(ctx, 'mark-read', dispatch)),
  };
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
