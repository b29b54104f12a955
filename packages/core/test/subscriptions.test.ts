import { describe, expect, it } from 'vitest';
import { MemoryStore, MessageType, parseSignedLink } from '../src/index.js';
import { SignatureError, ValidationError } from '../src/plugin.js';
import { setup, TestMessenger } from './helpers.js';

class News extends MessageType {
  static override alias = 'news';
  static override title = 'Newsletter';
  static override allowUserSubscription = true;
}
class Digest extends MessageType {
  static override alias = 'digest';
  static override title = 'Newsletter';
  static override allowUserSubscription = true;
}
class Alerts extends MessageType {
  static override alias = 'alerts';
  static override title = 'Alerts';
  static override allowUserSubscription = true;
  static override supportedMessengers = ['test'];
}
class Internal extends MessageType {
  static override alias = 'internal';
}

const alice = { id: 1, email: 'alice@x.test' };
const bob = { id: 2, email: 'bob@x.test', isActive: false };

function withChat() {
  const chat = new TestMessenger({ alias: 'chat', title: 'Chat' });
  return setup({
    messageTypes: [News, Digest, Alerts, Internal],
    messengers: [new TestMessenger({ title: 'E-mail' }), chat],
  });
}

describe('postponed messages and prepareDispatches', () => {
  it('waits for prepareDispatches, then addresses the subscribers; stays waiting without any', async () => {
    const { sitemsg } = setup({ messageTypes: [News] });
    const [waiting] = await sitemsg.scheduleMessages(new News({ text: 'issue 1' }));
    expect(waiting?.message.dispatchesReady).toBe(false);
    expect(await sitemsg.prepareDispatches()).toBe(0);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0 });
    await sitemsg.subscribe('news', sitemsg.recipients('test', alice)[0]!);
    await sitemsg.subscribe('news', sitemsg.recipients('test', 'raw@x.test')[0]!);
    expect(await sitemsg.prepareDispatches()).toBe(1);
    expect((await sitemsg.store.getMessage(waiting!.message.id))?.dispatchesReady).toBe(true);
    const dispatches = await sitemsg.store.listDispatches({ messageId: waiting!.message.id });
    expect(dispatches.map((d) => [d.address, d.userId])).toEqual([
      ['alice@x.test', '1'],
      ['raw@x.test', null],
    ]);
    expect(await sitemsg.prepareDispatches()).toBe(0);
  });

  it('skips inactive users and uses fresh addresses when getUsers is configured', async () => {
    const users = new Map<string, { id: number; email: string; isActive?: boolean }>([
      ['1', { id: 1, email: 'alice@new.test' }],
      ['2', bob],
    ]);
    const { sitemsg } = setup({
      messageTypes: [News],
      getUsers: async (ids) => ids.flatMap((id) => (users.has(id) ? [users.get(id)!] : [])),
    });
    await sitemsg.subscribe('news', sitemsg.recipients('test', alice)[0]!);
    await sitemsg.subscribe('news', sitemsg.recipients('test', bob)[0]!);
    expect((await sitemsg.getSubscribers('news')).map((r) => r.address)).toEqual(['alice@new.test']);
    await sitemsg.scheduleMessages(new News({ text: 'x' }));
    await sitemsg.prepareDispatches();
    expect((await sitemsg.store.listDispatches({})).map((d) => d.address)).toEqual(['alice@new.test']);
  });
});

describe('preferences table', () => {
  it('has rows for subscribable types (same title shares a row) and columns sorted by title', async () => {
    const { sitemsg } = withChat();
    await sitemsg.setUserPreferences(alice, ['alerts|test']);
    const table = await sitemsg.getUserPreferencesForUi(alice, {
      messengerTitles: { chat: 'Messenger chat' },
    });
    expect(table.messengers).toEqual([
      { alias: 'test', title: 'E-mail' },
      { alias: 'chat', title: 'Messenger chat' },
    ]);
    expect(table.rows.map((r) => [r.title, r.messageTypes])).toEqual([
      ['Alerts', ['alerts']],
      ['Newsletter', ['news', 'digest']],
    ]);
    expect(table.rows[0]?.cells).toEqual([
      { messenger: 'test', allowed: true, active: true, value: 'alerts|test' },
      { messenger: 'chat', allowed: false, active: false, value: 'alerts|chat' },
    ]);
  });

  it('saving replaces only the pairs shown and subscribes every type of a shared row', async () => {
    const { sitemsg } = withChat();
    await sitemsg.setUserPreferences(alice, ['alerts|test', 'news+digest|chat']);
    const subs = await sitemsg.store.listSubscriptions({ userId: '1' });
    expect(subs.map((s) => `${s.messageType}|${s.messenger}|${s.address}`).sort()).toEqual([
      'alerts|test|alice@x.test',
      'digest|chat|alice@x.test',
      'news|chat|alice@x.test',
    ]);
    await sitemsg.setUserPreferences(alice, ['news+digest|test'], { messageTypes: ['news', 'digest'] });
    const after = await sitemsg.store.listSubscriptions({ userId: '1' });
    expect(after.map((s) => `${s.messageType}|${s.messenger}`).sort()).toEqual([
      'alerts|test',
      'digest|test',
      'news|test',
    ]);
    await expect(sitemsg.setUserPreferences(alice, ['alerts|chat'])).rejects.toBeInstanceOf(ValidationError);
    await expect(sitemsg.setUserPreferences(alice, ['internal|test'])).rejects.toThrow(/not a cell/);
  });
});

describe('unsubscribe and mark-read links', () => {
  async function sentDispatch() {
    const ctx = setup({ messageTypes: [News] });
    await ctx.sitemsg.subscribe('news', ctx.sitemsg.recipients('test', alice)[0]!);
    await ctx.sitemsg.scheduleMessages(new News({ text: 'x' }));
    await ctx.sitemsg.prepareDispatches();
    await ctx.sitemsg.sendScheduledMessages();
    const outgoing = ctx.messenger.sent[0]!;
    const { action, link } = parseSignedLink(outgoing.unsubscribeUrl)!;
    return { ...ctx, outgoing, action, link };
  }

  it('shows the links of a dispatch when it is logged or serialized, and signs each link once', async () => {
    const { outgoing } = await sentDispatch();
    const json = JSON.parse(JSON.stringify(outgoing));
    expect(json.unsubscribeUrl).toBe(outgoing.unsubscribeUrl);
    expect(json.markReadUrl).toBe(outgoing.markReadUrl);
    expect(json.markReadUrl).toMatch(/\/mark-read\//);
    expect(Object.keys(json).sort()).toEqual([
      'compiled',
      'dispatch',
      'markReadUrl',
      'message',
      'unsubscribeUrl',
    ]);
    expect(outgoing.markReadUrl).toBe(outgoing.markReadUrl);
  });

  it('unsubscribes through a valid link once, suppressing later explicit sends to that address', async () => {
    const { sitemsg, link, action, messenger } = await sentDispatch();
    expect(action).toBe('unsubscribe');
    const events: unknown[] = [];
    sitemsg.on('subscription:removed', (e) => void events.push(e));
    expect(await sitemsg.handleUnsubscribeLink(link)).toEqual({ ok: true, value: { changed: true } });
    expect(await sitemsg.handleUnsubscribeLink(link)).toEqual({ ok: true, value: { changed: false } });
    expect(events).toEqual([
      {
        messageType: 'news',
        messenger: 'test',
        address: 'alice@x.test',
        userId: '1',
        dispatchId: link.dispatchId,
      },
    ]);
    expect(await sitemsg.store.listSubscriptions({ userId: '1' })).toEqual([]);
    const [again] = await sitemsg.scheduleMessages(
      new News({ text: 'y' }),
      sitemsg.recipients('test', [alice, 'other@x.test']),
    );
    expect(again?.dispatches.map((d) => d.address)).toEqual(['other@x.test']);
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent.map((s) => s.dispatch.address)).toEqual(['alice@x.test', 'other@x.test']);
  });

  it('refuses forged, altered, cross-action and mismatched links and changes nothing', async () => {
    const { sitemsg, link, outgoing } = await sentDispatch();
    const rejected: string[] = [];
    sitemsg.on('link:rejected', (e) => void rejected.push(e.reason));
    const forged = await sitemsg.handleUnsubscribeLink({ ...link, token: 'A'.repeat(43) });
    expect(forged.ok).toBe(false);
    if (!forged.ok) expect(forged.error).toBeInstanceOf(SignatureError);
    expect((await sitemsg.handleUnsubscribeLink({ ...link, dispatchId: `${link.dispatchId}0` })).ok).toBe(
      false,
    );
    const markReadToken = new URL(outgoing.markReadUrl).pathname.split('/').at(-1)!;
    expect((await sitemsg.handleUnsubscribeLink({ ...link, token: markReadToken })).ok).toBe(false);
    expect(rejected).toHaveLength(3);
    expect(await sitemsg.store.listSubscriptions({ userId: '1' })).toHaveLength(1);
    const markRead = await sitemsg.handleMarkReadLink(parseSignedLink(outgoing.markReadUrl)!.link);
    expect(markRead).toEqual({ ok: true, value: { changed: true } });
    expect((await sitemsg.store.getDispatch(link.dispatchId))?.readStatus).toBe('read');
  });

  it('expires links when a TTL is configured', async () => {
    const { sitemsg, messenger, clock } = setup({ messageTypes: [News], linkTtlSeconds: 60 });
    await sitemsg.scheduleMessages(new News({ text: 'x' }), sitemsg.recipients('test', alice));
    await sitemsg.sendScheduledMessages();
    const { link } = parseSignedLink(messenger.sent[0]!.unsubscribeUrl)!;
    if (link.expires === undefined) throw new Error('the link carries no expiry');
    expect((await sitemsg.verifySignedLink('unsubscribe', link)).ok).toBe(true);
    expect(
      (await sitemsg.verifySignedLink('unsubscribe', { ...link, expires: link.expires + 3600 })).ok,
    ).toBe(false);
    clock.advance(61_000);
    const expired = await sitemsg.verifySignedLink('unsubscribe', link);
    expect(expired.ok ? '' : expired.error.message).toMatch(/expired/);
  });
});

describe('grouping and cleanup', () => {
  it('joins messages with the same group mark while nothing was sent', async () => {
    class Comments extends MessageType {
      static override alias = 'comments';
      static override groupMark = 'post-1';
    }
    const { sitemsg, messenger } = setup({ messageTypes: [Comments] });
    const to = sitemsg.recipients('test', 'a@x.test');
    await sitemsg.scheduleMessages(new Comments({ text: 'first' }), to);
    const [second] = await sitemsg.scheduleMessages(new Comments({ text: 'second' }), [
      ...to,
      ...sitemsg.recipients('test', 'b@x.test'),
    ]);
    expect(second?.outcome).toBe('grouped');
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent.map((s) => [s.dispatch.address, s.compiled.text])).toEqual([
      ['a@x.test', 'first\nsecond'],
      ['b@x.test', 'first\nsecond'],
    ]);
    const [third] = await sitemsg.scheduleMessages(new Comments({ text: 'third' }), to);
    expect(third?.outcome).toBe('created');
  });

  it('deletes only old sent dispatches, then empty messages; dispatchesOnly keeps messages', async () => {
    const { sitemsg, messenger, clock } = setup();
    messenger.failPermanently.add('bad@x.test');
    const [old] = await sitemsg.scheduleMessages(
      'old',
      sitemsg.recipients('test', ['a@x.test', 'bad@x.test']),
    );
    const [solo] = await sitemsg.scheduleMessages('solo', sitemsg.recipients('test', 'a@x.test'));
    await sitemsg.sendScheduledMessages();
    clock.advance(6 * 86_400_000);
    const [recent] = await sitemsg.scheduleMessages('recent', sitemsg.recipients('test', 'a@x.test'));
    await sitemsg.sendScheduledMessages();
    expect(await sitemsg.cleanupSentMessages({ ago: 5, dispatchesOnly: true })).toEqual({
      dispatches: 2,
      messages: 0,
    });
    expect(await sitemsg.store.getMessage(solo!.message.id)).not.toBeNull();
    expect(await sitemsg.cleanupSentMessages({ ago: 5 })).toEqual({ dispatches: 0, messages: 0 });
    expect(await sitemsg.cleanupSentMessages()).toEqual({ dispatches: 1, messages: 1 });
    expect(await sitemsg.store.getMessage(recent!.message.id)).toBeNull();
    expect(await sitemsg.store.getMessage(old!.message.id)).not.toBeNull();
    expect((await sitemsg.store.countDispatches()).failed).toBe(1);
    await expect(sitemsg.cleanupSentMessages({ ago: -1 })).rejects.toThrow(/ago/);
  });
});

describe('suppressed addresses at scheduling', () => {
  /** A memory store that counts suppression lookups and may say it filters on its own. */
  class CountingStore extends MemoryStore {
    lookups = 0;
    readonly filtersSuppressedOnSchedule: boolean;
    constructor(filters: boolean) {
      super();
      this.filtersSuppressedOnSchedule = filters;
    }
    override findSuppressed(...args: Parameters<MemoryStore['findSuppressed']>) {
      this.lookups++;
      return super.findSuppressed(...args);
    }
  }

  it('are looked up by the engine, unless the store leaves them out in its own write', async () => {
    for (const filters of [false, true]) {
      const store = new CountingStore(filters);
      const { sitemsg } = setup({ store });
      await sitemsg.store.addSuppression({ messageType: 'plain', messenger: 'test', address: 'gone@x.test' });
      const [result] = await sitemsg.scheduleMessages(
        'hi',
        sitemsg.recipients('test', ['a@x.test', 'gone@x.test']),
      );
      expect(store.lookups).toBe(filters ? 0 : 1);
      // This store does not really filter: with the flag, the engine handed it every dispatch.
      expect(result?.dispatches.map((d) => d.address)).toEqual(
        filters ? ['a@x.test', 'gone@x.test'] : ['a@x.test'],
      );
    }
  });
});
