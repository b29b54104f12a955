import { describe, expect, it } from 'vitest';
import { MessageType, parseSignedLink } from '../src/index.js';
import { ValidationError } from '../src/plugin.js';
import { setup } from './helpers.js';

class News extends MessageType<{ text: string }> {
  static override alias = 'news';
  static override allowUserSubscription = true;
}

class PasswordReset extends MessageType<{ text: string }> {
  static override alias = 'password_reset';
}

describe('one answer for one situation', () => {
  it('refuses an unknown dispatch id the same way for markRead and unsubscribe', async () => {
    const { sitemsg } = setup();
    await expect(sitemsg.markRead('nope')).rejects.toMatchObject({ code: 'UNKNOWN_DISPATCH' });
    await expect(sitemsg.unsubscribe('nope')).rejects.toMatchObject({ code: 'UNKNOWN_DISPATCH' });
    const [scheduled] = await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    const id = scheduled!.dispatches[0]!.id;
    expect(await sitemsg.markRead(id)).toEqual({ changed: true });
    expect(await sitemsg.markRead(id)).toEqual({ changed: false });
  });

  it('refuses a subscription to a type users cannot subscribe to', async () => {
    const { sitemsg } = setup({ messageTypes: [News, PasswordReset] });
    const recipient = sitemsg.recipients('test', { id: 1, email: 'a@x.test' })[0]!;
    expect(await sitemsg.subscribe('news', recipient)).toBe(true);
    const refused = sitemsg.subscribe('password_reset', recipient);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(sitemsg.subscribe('password_reset', recipient)).rejects.toMatchObject({
      code: 'SUBSCRIPTION_NOT_ALLOWED',
    });
    expect(await sitemsg.store.listSubscriptions({ messageType: 'password_reset' })).toEqual([]);
  });

  it('validates linkTtlSeconds when the engine is created', () => {
    for (const bad of ['3600', 0, -5, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 10, 1e12]) {
      expect(() => setup({ linkTtlSeconds: bad as number })).toThrow(/linkTtlSeconds must be a whole number/);
    }
    expect(() => setup({ linkTtlSeconds: 30 * 86_400 })).not.toThrow();
  });

  it('tells listeners a message written on the application transaction is staged, and scheduled once announced', async () => {
    const { sitemsg } = setup();
    const heard: string[] = [];
    sitemsg.on('message:scheduled', () => void heard.push('scheduled'));
    sitemsg.on('message:staged', () => void heard.push('staged'));
    await sitemsg.scheduleMessages('plain', sitemsg.recipients('test', 'a@x.test'));
    // The memory store ignores the client: what counts here is what the engine announces.
    const results = await sitemsg.scheduleMessages(
      'in a transaction',
      sitemsg.recipients('test', 'a@x.test'),
      {
        client: {},
      },
    );
    expect(heard).toEqual(['scheduled', 'staged']);
    sitemsg.announceScheduled(results);
    expect(heard).toEqual(['scheduled', 'staged', 'scheduled']);
  });
});

describe('link URLs', () => {
  it('parses what the engine builds and refuses malformed ones', async () => {
    const { sitemsg, messenger } = setup({ messageTypes: [News], linkTtlSeconds: 3600 });
    await sitemsg.scheduleMessages(new News({ text: 'x' }), sitemsg.recipients('test', 'a@x.test'));
    await sitemsg.sendScheduledMessages();
    const sent = messenger.sent[0]!;
    const parsed = parseSignedLink(sent.unsubscribeUrl);
    expect(parsed?.action).toBe('unsubscribe');
    expect(parsed?.link).toMatchObject({ dispatchId: sent.dispatch.id, messageId: sent.message.id });
    expect(parsed?.link.recipient).toMatch(/^[\w-]{40,}$/);
    expect(parsed?.link.recipient).not.toContain('a@x.test');
    expect(parseSignedLink(new URL(sent.markReadUrl).pathname)?.action).toBe('mark-read');
    for (const bad of [
      '/sitemsg/mark-read/%E0%A4%A/1/x',
      '/sitemsg/unsubscribe/1/2',
      '/sitemsg/other/1/2/t',
      '/sitemsg/unsubscribe/1/2/t?expires=soon',
    ]) {
      expect(parseSignedLink(bad)).toBeNull();
    }
  });
});
