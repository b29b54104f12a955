import { type CompiledMessage, MessageType, type RenderContext } from '@sitemsg/core';

function withFooter(render: RenderContext, text: string, html: string): CompiledMessage {
  const unsubscribe = render.directiveUnsubscribe;
  return {
    text: unsubscribe ? `${text}\n\nUnsubscribe: ${unsubscribe}` : text,
    html: `${html}${unsubscribe ? `<p><a href="${unsubscribe}">Unsubscribe</a></p>` : ''}`,
  };
}

/** Sent to one customer when their order leaves the warehouse. */
export class OrderShipped extends MessageType<{ orderId: string }> {
  static override alias: string = 'order_shipped';
  static override title: string = 'Order updates';
  static override allowUserSubscription: boolean = true;

  static override compile(render: RenderContext): CompiledMessage {
    const orderId = String(render.context.orderId);
    const text = `Your order #${orderId} is on its way.`;
    const body = withFooter(render, text, `<p>Your order <b>#${orderId}</b> is on its way.</p>`);
    // The browser notification says it without the e-mail's footer; a later one about the same order replaces it.
    const push = {
      title: `Order #${orderId} shipped`,
      body: text,
      url: '/',
      collapseKey: `order-${orderId}`,
    };
    return { subject: `Order #${orderId} shipped`, ...body, push };
  }
}

/** Published to every subscriber (postponed: dispatches come from subscriptions). */
export class Newsletter extends MessageType<{ issue: number }> {
  static override alias: string = 'newsletter';
  static override title: string = 'Newsletter';
  static override allowUserSubscription: boolean = true;

  static override compile(render: RenderContext): CompiledMessage {
    const issue = Number(render.context.issue);
    const body = withFooter(render, `Issue ${issue} is out.`, `<p>Issue ${issue} is out.</p>`);
    return { subject: `Newsletter #${issue}`, ...body };
  }
}
