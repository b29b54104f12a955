import { createSitemsg } from '@sitemsg/core';
import { ConfigurationError, type SitemsgEventMap, ValidationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { InboxAccessError, InboxNotFoundError, InboxService, MemoryInboxStore } from '../src/index.js';
import { service } from './helpers.js';

describe('InboxService', () => {
  it('passes its health check before the first write', async () => {
    const { inbox } = service();
    expect(await inbox.healthCheck()).toMatchObject({ status: 'healthy' });
    await inbox.close();
  });

  it('sends and lists newest first, with cursor pagination', async () => {
    const { inbox, clock } = service();
    const sent = [];
    for (let i = 0; i < 5; i++) {
      sent.push(await inbox.send('u1', `t${i}`, `b${i}`, { i }));
      if (i % 2 === 0) clock.advance(1000); // some share a millisecond: the id orders them
    }
    await inbox.send('u2', 'other', 'other');
    const first = await inbox.getInbox('u1', { limit: 2 });
    expect(first.messages.map((m) => m.title)).toEqual(['t4', 't3']);
    const second = await inbox.getInbox('u1', { limit: 2, before: first.nextCursor });
    expect(second.messages.map((m) => m.title)).toEqual(['t2', 't1']);
    const third = await inbox.getInbox('u1', { limit: 2, before: second.nextCursor });
    expect(third.messages.map((m) => m.title)).toEqual(['t0']);
    expect(third.nextCursor).toBeNull();
    expect(sent[0]).toMatchObject({
      userId: 'u1',
      body: 'b0',
      metadata: { i: 0 },
      read: false,
      readAt: null,
    });
    await inbox.close();
  });

  it('caps a page at maxPageSize and rejects bad limits and cursors', async () => {
    const { inbox } = service({ maxPageSize: 3 });
    for (let i = 0; i < 5; i++) await inbox.send('u1', `t${i}`, 'b');
    const page = await inbox.getInbox('u1', { limit: 50 });
    expect(page.messages).toHaveLength(3);
    expect(page.nextCursor).not.toBeNull();
    expect((await inbox.getInbox('u1')).messages).toHaveLength(3);
    await expect(inbox.getInbox('u1', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(inbox.getInbox('u1', { limit: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(inbox.getInbox('u1', { before: 'not a cursor' })).rejects.toThrow(/not a cursor/);
    await inbox.close();
  });

  it('lists unread only when asked, and counts unread', async () => {
    const { inbox } = service();
    const a = await inbox.send('u1', 'a', 'a');
    await inbox.send('u1', 'b', 'b');
    expect(await inbox.countUnread('u1')).toBe(2);
    expect(await inbox.markRead(a.id, 'u1')).toBe(true);
    expect(await inbox.markRead(a.id, 'u1')).toBe(false);
    expect(await inbox.countUnread('u1')).toBe(1);
    expect((await inbox.getInbox('u1', { unreadOnly: true })).messages.map((m) => m.title)).toEqual(['b']);
    await inbox.close();
  });

  it('returns null for an unknown id and guards reads by owner when a user is given', async () => {
    const { inbox } = service();
    const m = await inbox.send('owner', 't', 'b');
    expect(await inbox.getMessage('unknown')).toBeNull();
    expect(await inbox.getMessage(m.id)).toMatchObject({ id: m.id });
    expect(await inbox.getMessage(m.id, 'owner')).toMatchObject({ id: m.id });
    await expect(inbox.getMessage(m.id, 'intruder')).rejects.toBeInstanceOf(InboxAccessError);
    await inbox.close();
  });

  it('refuses another user’s message with InboxAccessError and changes nothing', async () => {
    const { inbox } = service();
    const m = await inbox.send('owner', 't', 'b');
    await expect(inbox.markRead(m.id, 'intruder')).rejects.toBeInstanceOf(InboxAccessError);
    await expect(inbox.delete(m.id, 'intruder')).rejects.toBeInstanceOf(InboxAccessError);
    expect(await inbox.markAllRead('intruder')).toBe(0);
    expect(await inbox.clearAll('intruder')).toBe(0);
    expect(await inbox.getMessage(m.id)).toMatchObject({ read: false, userId: 'owner' });
    expect(await inbox.countUnread('owner')).toBe(1);
    await expect(inbox.markRead('missing', 'owner')).rejects.toBeInstanceOf(InboxNotFoundError);
    await expect(inbox.delete('missing', 'owner')).rejects.toBeInstanceOf(InboxNotFoundError);
    await inbox.close();
  });

  it('marks all read, deletes one and clears all', async () => {
    const { inbox } = service();
    const a = await inbox.send('u1', 'a', 'a');
    await inbox.send('u1', 'b', 'b');
    await inbox.send('u1', 'c', 'c');
    expect(await inbox.markAllRead('u1')).toBe(3);
    expect(await inbox.countUnread('u1')).toBe(0);
    await inbox.delete(a.id, 'u1');
    expect(await inbox.getMessage(a.id)).toBeNull();
    expect(await inbox.clearAll('u1')).toBe(2);
    expect((await inbox.getInbox('u1')).messages).toEqual([]);
    await inbox.close();
  });

  it('prunes by age with an argument or retentionDays, on the injected clock', async () => {
    const { inbox, clock } = service({ retentionDays: 30 });
    await inbox.send('u1', 'old', 'b');
    clock.advance(20 * 86_400_000);
    await inbox.send('u2', 'newer', 'b');
    clock.advance(15 * 86_400_000);
    expect(await inbox.pruneOlderThan()).toBe(1); // 35 days old > 30
    expect(await inbox.pruneOlderThan(15)).toBe(0); // exactly 15 days old: kept
    expect(await inbox.pruneOlderThan(14)).toBe(1);
    expect(await inbox.countUnread('u2')).toBe(0);
    await inbox.close();
  });

  it('emits inbox:created and inbox:read on its own bus', async () => {
    const { inbox } = service();
    const seen: [string, SitemsgEventMap['inbox:read']][] = [];
    const off = inbox.on('inbox:created', (p) => {
      seen.push(['created', p]);
    });
    inbox.on('inbox:read', (p) => {
      seen.push(['read', p]);
    });
    const a = await inbox.send('u1', 'a', 'a');
    const b = await inbox.send('u1', 'b', 'b');
    await inbox.markRead(a.id, 'u1');
    await inbox.markRead(a.id, 'u1'); // unchanged: no event
    await inbox.markAllRead('u1');
    off();
    await inbox.send('u1', 'c', 'c');
    expect(seen).toEqual([
      ['created', { inboxMessageId: a.id, userId: 'u1' }],
      ['created', { inboxMessageId: b.id, userId: 'u1' }],
      ['read', { inboxMessageId: a.id, userId: 'u1' }],
      ['read', { inboxMessageId: b.id, userId: 'u1' }],
    ]);
    await inbox.close();
  });

  it('writes one message per idempotency key and emits once', async () => {
    const { inbox } = service();
    let created = 0;
    inbox.on('inbox:created', () => {
      created++;
    });
    const first = await inbox.send('u1', 't', 'b', {}, { idempotencyKey: 'k1' });
    const again = await inbox.send('u1', 'changed', 'b', {}, { idempotencyKey: 'k1' });
    expect(again.id).toBe(first.id);
    expect(again.title).toBe('t');
    expect(created).toBe(1);
    await inbox.close();
  });
});

describe('InboxService wiring', () => {
  it('emits through the engine when one is given', async () => {
    const sitemsg = createSitemsg();
    const inbox = new InboxService({ sitemsg });
    const created: string[] = [];
    const read: string[] = [];
    sitemsg.on('inbox:created', (p) => {
      created.push(p.inboxMessageId);
    });
    inbox.on('inbox:read', (p) => {
      read.push(p.inboxMessageId);
    });
    const m = await inbox.send('u1', 't', 'b');
    await inbox.markRead(m.id, 'u1');
    expect(created).toEqual([m.id]);
    expect(read).toEqual([m.id]);
  });

  it('reports a failing event handler to the logger and carries on', async () => {
    const errors: string[] = [];
    const inbox = new InboxService({ logger: { error: (message) => errors.push(message) } });
    inbox.on('inbox:created', () => {
      throw new Error('handler broke');
    });
    const m = await inbox.send('u1', 't', 'b');
    expect(await inbox.getMessage(m.id)).not.toBeNull();
    expect(errors).toEqual(['[sitemsg] [inbox] a "inbox:created" handler failed: Error: handler broke']);
  });

  it('reports a rejecting event handler too, and an unsubscribed handler hears nothing', async () => {
    const errors: string[] = [];
    const heard: string[] = [];
    const inbox = new InboxService({ logger: { error: (message) => errors.push(message) } });
    inbox.on('inbox:read', async () => {
      throw new Error('async handler broke');
    });
    const off = inbox.on('inbox:read', (p) => {
      heard.push(p.inboxMessageId);
    });
    const m = await inbox.send('u1', 't', 'b');
    off();
    await inbox.markRead(m.id, 'u1');
    await Promise.resolve();
    expect(heard).toEqual([]);
    expect(errors).toEqual(['[sitemsg] [inbox] a "inbox:read" handler failed: Error: async handler broke']);
  });

  it('validates its options and its inputs', async () => {
    expect(() => new InboxService({ maxPageSize: 0 })).toThrow(ConfigurationError);
    expect(() => new InboxService({ retentionDays: -1 })).toThrow(ConfigurationError);
    expect(() => new InboxService({ nope: 1 } as never)).toThrow(/unknown InboxService option "nope"/);
    expect(
      () => new InboxService({ store: { ...new MemoryInboxStore(), inboxStoreContractVersion: 2 } as never }),
    ).toThrow(/contract 2/);
    const inbox = new InboxService();
    await expect(inbox.send('', 't', 'b')).rejects.toBeInstanceOf(ValidationError);
    await expect(inbox.send('u', 1 as never, 'b')).rejects.toBeInstanceOf(ValidationError);
    await expect(inbox.send('u', 't', 'b', { when: new Date() } as never)).rejects.toThrow(/metadata.when/);
    await expect(inbox.pruneOlderThan()).rejects.toBeInstanceOf(ConfigurationError);
    await expect(inbox.pruneOlderThan(-2)).rejects.toBeInstanceOf(ValidationError);
    expect(await inbox.countUnread('u')).toBe(0);
  });

  it('reports an unhealthy store (a check that throws) without throwing', async () => {
    const store = new MemoryInboxStore();
    store.healthCheck = () => Promise.reject(new Error('disk on fire'));
    const inbox = new InboxService({ store });
    expect(await inbox.healthCheck()).toEqual({ status: 'unhealthy', detail: 'disk on fire' });
  });
});
