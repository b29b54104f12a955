import { describe, expect, it } from 'vitest';
import { MessageType, type RenderContext } from '../src/index.js';
import {
  type CompiledMessage,
  chatPayload,
  type DispatchResult,
  Messenger,
  type OutgoingDispatch,
  ok,
  pushPayload,
  smsPayload,
  ValidationError,
} from '../src/plugin.js';
import { setup } from './helpers.js';

/** A channel with a limit, like SMS segments: at most 20 characters of SMS text. */
class TinySms extends Messenger {
  static override alias = 'tiny';
  readonly sent: string[] = [];

  override checkCompiled(compiled: CompiledMessage): string | null {
    const { text } = smsPayload(compiled);
    return text.length > 20 ? `the SMS is ${text.length} characters, over the limit of 20` : null;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map((o) => {
      this.sent.push(smsPayload(o.compiled).text);
      return { dispatchId: o.dispatch.id, result: ok({}) };
    });
  }
}

class OrderShipped extends MessageType<{ order: string }> {
  static override alias = 'order_shipped';
  static override compile(render: RenderContext): CompiledMessage {
    return {
      subject: 'Your order shipped',
      text: `Order ${String(render.context.order)} is on its way to you.`,
      sms: { text: `Order ${String(render.context.order)} shipped` },
      push: {
        title: 'Shipped',
        body: `Order ${String(render.context.order)}`,
        badge: 1,
        collapseKey: 'orders',
      },
    };
  }
}

class PerRecipient extends MessageType<{ text: string }> {
  static override alias = 'per_recipient';
  static override compile(render: RenderContext): CompiledMessage {
    return { text: `${String(render.context.text)} for ${render.recipient}` };
  }
}

describe('per-channel payloads', () => {
  it('reads each channel part, falling back to text and subject', () => {
    const plain: CompiledMessage = { subject: 'Hi', text: 'Hello there', data: { a: '1' } };
    expect(smsPayload(plain)).toEqual({ text: 'Hello there' });
    expect(pushPayload(plain)).toEqual({ title: 'Hi', body: 'Hello there', data: { a: '1' } });
    expect(chatPayload(plain)).toEqual({ text: 'Hello there', format: 'plain' });
    const rich: CompiledMessage = {
      text: 'x',
      chat: { text: '<b>x</b>', format: 'html' },
      push: { body: 'p' },
    };
    expect(chatPayload(rich)).toEqual({ text: '<b>x</b>', format: 'html' });
    expect(pushPayload(rich)).toEqual({ body: 'p' });
  });

  it('passes channel parts given in a context through the default compile', async () => {
    const messenger = new TinySms();
    const { sitemsg } = setup({ messengers: [messenger] });
    const news = new (class extends MessageType<{ text: string; sms: { text: string } }> {
      static override alias = 'news';
    })({ text: 'a long newsletter text for e-mail', sms: { text: 'short news' } });
    sitemsg.registerMessageTypes(news.constructor as never);
    await sitemsg.scheduleMessages(news, sitemsg.recipients('tiny', '+2'));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(messenger.sent).toEqual(['short news']);
  });

  it('refuses at scheduling what a channel cannot carry, when the body is known then', async () => {
    const messenger = new TinySms();
    const { sitemsg } = setup({ messengers: [messenger], messageTypes: [OrderShipped] });
    const long = sitemsg.scheduleMessages(
      'this text is far too long for the tiny channel',
      sitemsg.recipients('tiny', '+1'),
    );
    await expect(long).rejects.toThrow(ValidationError);
    await expect(
      sitemsg.scheduleMessages(
        'this text is far too long for the tiny channel',
        sitemsg.recipients('tiny', '+1'),
      ),
    ).rejects.toMatchObject({
      code: 'MESSAGE_NOT_SENDABLE',
      message: expect.stringContaining('over the limit of 20'),
    });
    expect(await sitemsg.store.listDispatches({})).toEqual([]);
    // The type's own SMS wording fits, though its e-mail text would not.
    await sitemsg.scheduleMessages(new OrderShipped({ order: 'A-1' }), sitemsg.recipients('tiny', '+1'));
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent).toEqual(['Order A-1 shipped']);
  });

  it('fails at send time, permanently and alone, what depends on the dispatch and does not fit', async () => {
    const messenger = new TinySms();
    const { sitemsg } = setup({ messengers: [messenger], messageTypes: [PerRecipient] });
    await sitemsg.scheduleMessages(
      new PerRecipient({ text: 'hi' }),
      sitemsg.recipients('tiny', ['+1', '+123456789012345']),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, failed: 1, error: 0 });
    expect(messenger.sent).toEqual(['hi for +1']);
    const [failed] = await sitemsg.store.listDispatches({ status: 'failed' });
    expect(failed?.lastError).toMatch(/\[tiny\] the SMS is 23 characters, over the limit of 20/);
  });
});
