import { createSitemsg, EmailTextMessage, ManualClock, MessageType } from '@sitemsg/core';
import {
  type DispatchResult,
  Messenger,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { InboxMessenger, InboxService, inboxDriver, MemoryInboxStore, sitemsgDriver } from '../src/index.js';

/** A second channel for the preferences table: records what it was asked to send. */
class RecordingEmail extends Messenger {
  static override alias = 'email';
  readonly sent: OutgoingDispatch[] = [];
  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }
  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    this.sent.push(...batch);
    return batch.map((b) => ({ dispatchId: b.dispatch.id, result: ok({}) }));
  }
}

class Digest extends MessageType<{ subject: string; text: string }> {
  static override alias = 'digest';
  static override title = 'Weekly digest';
  static override allowUserSubscription = true;
}

const alice = { id: 1, email: 'alice@example.test' };
const bob = { id: 'b-2', email: 'bob@example.test' };

describe('InboxMessenger through the engine', () => {
  function setup() {
    const clock = new ManualClock(new Date('2026-02-01T00:00:00Z'));
    const users = new Map<string, SitemsgUser>([
      ['1', alice],
      ['b-2', bob],
    ]);
    const sitemsg = createSitemsg({
      clock,
      secret: 'inbox-test-secret-123',
      siteUrl: 'https://app.example.test',
      messageTypes: [Digest],
      getUsers: async (ids) => ids.flatMap((id) => users.get(id) ?? []),
    });
    const inbox = new InboxService({ clock, sitemsg });
    const email = new RecordingEmail();
    sitemsg.registerMessengerObjects(new InboxMessenger({ inbox }), email);
    return { sitemsg, inbox, email, clock };
  }

  it('delivers recipients("inbox", users) into each user’s inbox, keyed by user id', async () => {
    const { sitemsg, inbox } = setup();
    const created: string[] = [];
    sitemsg.on('inbox:created', (p) => {
      created.push(p.userId);
    });
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Order shipped', 'Your order #12 is on its way.'),
      sitemsg.recipients('inbox', [alice, bob]),
    );
    expect(scheduled?.dispatches.map((d) => d.address)).toEqual(['1', 'b-2']);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, error: 0, failed: 0 });
    const [message] = (await inbox.getInbox('1')).messages;
    const dispatch = scheduled!.dispatches[0]!;
    expect(message).toMatchObject({
      userId: '1',
      title: 'Order shipped',
      body: 'Your order #12 is on its way.',
      metadata: { dispatchId: dispatch.id, messageId: scheduled!.message.id, messageType: 'email_plain' },
      read: false,
    });
    expect(await inbox.countUnread('b-2')).toBe(1);
    expect(created.sort()).toEqual(['1', 'b-2']);
    await sitemsg.close();
  });

  it('applies subscriptions and preferences as for e-mail', async () => {
    const { sitemsg, inbox, email } = setup();
    await sitemsg.setUserPreferences(alice, ['digest|inbox', 'digest|email']);
    await sitemsg.setUserPreferences(bob, ['digest|email']);
    const table = await sitemsg.getUserPreferencesForUi(alice);
    expect(table.messengers.map((m) => m.title)).toEqual(['email', 'Inbox']);

    await sitemsg.scheduleMessages(new Digest({ subject: 'Digest 1', text: 'Week 1' }));
    expect(await sitemsg.prepareDispatches()).toBe(1);
    await sitemsg.sendScheduledMessages();
    expect((await inbox.getInbox('1')).messages.map((m) => m.title)).toEqual(['Digest 1']);
    expect(await inbox.countUnread('b-2')).toBe(0);
    expect(email.sent.map((s) => s.dispatch.address).sort()).toEqual([alice.email, bob.email]);

    await sitemsg.setUserPreferences(alice, ['digest|email']); // alice unticks the inbox
    await sitemsg.scheduleMessages(new Digest({ subject: 'Digest 2', text: 'Week 2' }));
    await sitemsg.prepareDispatches();
    await sitemsg.sendScheduledMessages();
    expect((await inbox.getInbox('1')).messages.map((m) => m.title)).toEqual(['Digest 1']);
    expect(email.sent).toHaveLength(4);
    await sitemsg.close();
  });

  it('suppresses an unsubscribed user for later explicit sends of that type', async () => {
    const { sitemsg, inbox } = setup();
    const [first] = await sitemsg.scheduleMessages(
      new Digest({ subject: 'D1', text: 'x' }),
      sitemsg.recipients('inbox', alice),
    );
    await sitemsg.sendScheduledMessages();
    const outcome = await sitemsg.unsubscribe(first!.dispatches[0]!.id);
    expect(outcome).toEqual({ changed: true });
    await sitemsg.scheduleMessages(
      new Digest({ subject: 'D2', text: 'y' }),
      sitemsg.recipients('inbox', [alice, bob]),
    );
    await sitemsg.sendScheduledMessages();
    expect((await inbox.getInbox('1')).messages.map((m) => m.title)).toEqual(['D1']);
    expect((await inbox.getInbox('b-2')).messages.map((m) => m.title)).toEqual(['D2']);
    await sitemsg.close();
  });

  it('titles a message without subject or title by its first line', async () => {
    const { sitemsg, inbox } = setup();
    await sitemsg.scheduleMessages(`First line ${'x'.repeat(200)}\nsecond`, sitemsg.recipients('inbox', bob));
    await sitemsg.sendScheduledMessages();
    const [m] = (await inbox.getInbox('b-2')).messages;
    expect(m?.title).toHaveLength(120);
    expect(m?.title.startsWith('First line xxx')).toBe(true);
    expect(m?.title.endsWith('…')).toBe(true);
    expect(m?.body).toBe(`First line ${'x'.repeat(200)}\nsecond`);
    await sitemsg.close();
  });

  it('writes one inbox message when the same dispatch is delivered twice (at-least-once)', async () => {
    const { sitemsg, inbox } = setup();
    const messenger = sitemsg.getRegisteredMessengerObject('inbox') as InboxMessenger;
    const [scheduled] = await sitemsg.scheduleMessages('Once', sitemsg.recipients('inbox', alice));
    const item: OutgoingDispatch = {
      dispatch: scheduled!.dispatches[0]!,
      message: scheduled!.message,
      compiled: { text: 'Once' },
      unsubscribeUrl: '',
      markReadUrl: '',
    };
    const [a] = await messenger.send([item]);
    const [b] = await messenger.send([item]);
    expect(a?.result).toEqual(b?.result);
    expect(await inbox.countUnread('1')).toBe(1);
    await sitemsg.close();
  });

  it('answers the engine’s health check through the inbox', async () => {
    const { sitemsg } = setup();
    const report = await sitemsg.healthCheck();
    expect(report.components['messenger:inbox']).toMatchObject({ status: 'healthy' });
    await sitemsg.close();
  });
});

describe('InboxMessenger failures', () => {
  it('records a store outage as a retryable dispatch error', async () => {
    const store = new MemoryInboxStore();
    const inbox = new InboxService({ store });
    const sitemsg = createSitemsg({ messengers: [new InboxMessenger({ inbox })] });
    store.insert = () => Promise.reject(new Error('connection reset'));
    await sitemsg.scheduleMessages('hi', sitemsg.recipients('inbox', alice));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1 });
    const [dispatch] = await sitemsg.store.listDispatches({ status: 'error' });
    expect(dispatch?.lastError).toMatch(
      /\[sitemsg\] \[inbox\] could not write to the inbox: Error: connection reset/,
    );
  });

  it('turns a user into their id and refuses empty or padded addresses', () => {
    const messenger = new InboxMessenger();
    expect(messenger.resolveAddress({ id: 42 })).toEqual({ ok: true, value: '42' });
    expect(messenger.resolveAddress('').ok).toBe(false);
    expect(messenger.resolveAddress(' 42').ok).toBe(false);
    expect(messenger.alias).toBe('inbox');
    expect(messenger.title).toBe('Inbox');
  });

  it('closes only an inbox it created', async () => {
    const given = new InboxService();
    const closed: string[] = [];
    given.store.close = async () => {
      closed.push('given');
    };
    await new InboxMessenger({ inbox: given }).close();
    await new InboxMessenger({ inbox: given, ownsInbox: true }).close();
    expect(closed).toEqual(['given']);
  });
});

describe('sitemsgDriver', () => {
  it('creates an inbox messenger named by the configuration', async () => {
    const messenger = sitemsgDriver.create(
      { maxPageSize: '5', title: 'Bell' },
      { name: 'bell', primary: true },
    );
    expect(messenger).toBeInstanceOf(InboxMessenger);
    expect(messenger).toMatchObject({ alias: 'bell', title: 'Bell', primary: true, channel: 'inbox' });
    expect((messenger as InboxMessenger).inbox.maxPageSize).toBe(5);
    expect((messenger as InboxMessenger).inbox.store.name).toBe('memory');
  });

  it('builds the store a store package’s factory makes, from that store’s options only', () => {
    const seen: Record<string, unknown>[] = [];
    const driver = inboxDriver({
      options: ['path'],
      create(options, context) {
        seen.push({ ...options, for: context.name });
        return new MemoryInboxStore();
      },
    });
    const messenger = driver.create(
      { path: '/var/inbox', retentionDays: 30 },
      { name: 'bell', primary: false },
    ) as InboxMessenger;
    expect(seen).toEqual([{ path: '/var/inbox', for: 'bell' }]);
    expect(messenger.inbox.retentionDays).toBe(30);
    expect(() => driver.create({ schema: 'x' }, { name: 'bell', primary: false })).toThrow(
      /^\[sitemsg\] \[bell\] unknown inbox option "schema" \(known: maxPageSize, retentionDays, title, path\)\.$/,
    );
  });

  it('fails at start-up on an unknown option, pointing database options to the store packages', () => {
    const ctx = { name: 'inbox', primary: false };
    expect(() => sitemsgDriver.create({ maxPagesize: 5 }, ctx)).toThrow(/unknown inbox option "maxPagesize"/);
    expect(() => sitemsgDriver.create({ maxPageSize: 'many' }, ctx)).toThrow(/maxPageSize must be a number/);
    expect(() => sitemsgDriver.create({ connectionString: 'postgres://x' }, ctx)).toThrow(
      /unknown inbox option "connectionString" .* add package: '@sitemsg\/store-postgres\/inbox' \(connectionString, schema, tablePrefix\) or '@sitemsg\/store-mongo\/inbox'/,
    );
  });
});
