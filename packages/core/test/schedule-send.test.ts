import { describe, expect, it } from 'vitest';
import {
  EmailHtmlMessage,
  EmailTextMessage,
  MemoryStore,
  MessageType,
  type RenderContext,
  UnknownMessageTypeError,
  UnknownMessengerError,
} from '../src/index.js';
import {
  type ClaimRequest,
  type CompiledMessage,
  type CompletionOutcome,
  DeliveryError,
  err,
  ValidationError,
} from '../src/plugin.js';
import { setup, TestMessenger } from './helpers.js';

describe('scheduling', () => {
  it('turns a string into a plain-text message with one dispatch per recipient', async () => {
    const { sitemsg } = setup();
    const to = sitemsg.recipients('test', ['a@x.test', { id: 7, email: 'b@x.test' }]);
    const [result] = await sitemsg.scheduleMessages('hello', to, { sender: { id: 3 } });
    expect(result?.message).toMatchObject({
      type: 'plain',
      context: { text: 'hello' },
      senderId: '3',
      dispatchesReady: true,
    });
    expect(result?.dispatches.map((d) => [d.address, d.userId, d.status])).toEqual([
      ['a@x.test', null, 'pending'],
      ['b@x.test', '7', 'pending'],
    ]);
  });

  it('rejects an empty recipient list, unknown aliases, bad addresses and non-JSON contexts, writing nothing', async () => {
    const { sitemsg } = setup();
    await expect(sitemsg.scheduleMessages('x', [])).rejects.toBeInstanceOf(ValidationError);
    expect(() => sitemsg.recipients('nope', 'a@x.test')).toThrow(UnknownMessengerError);
    expect(() => sitemsg.recipients('test', 'not-an-address')).toThrow(/not a valid address/);
    expect(() => sitemsg.recipients('test', { id: 1 })).toThrow(/has no address/);
    await expect(
      sitemsg.scheduleMessages('x', [{ messenger: 'test', address: 'bad', userId: null }]),
    ).rejects.toThrow(/not a valid address/);
    class Unregistered extends MessageType {
      static override alias = 'unregistered';
    }
    await expect(sitemsg.scheduleMessages(new Unregistered({ text: 'x' }), [])).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      sitemsg.scheduleMessages(new Unregistered({ text: 'x' }), sitemsg.recipients('test', 'a@x.test')),
    ).rejects.toBeInstanceOf(UnknownMessageTypeError);
    expect(() => new EmailTextMessage('s', 'x').context).not.toThrow();
    class Ctx extends MessageType {
      static override alias = 'ctx';
    }
    expect(() => new Ctx({ when: new Date() } as never)).toThrow(/context.when is a Date instance/);
    expect(() => new Ctx({ n: Number.NaN })).toThrow(/NaN/);
    expect(await sitemsg.store.countDispatches()).toEqual({
      pending: 0,
      processing: 0,
      sent: 0,
      error: 0,
      failed: 0,
    });
  });

  it('returns the first message for a repeated idempotency key and writes nothing new', async () => {
    const { sitemsg } = setup();
    const to = sitemsg.recipients('test', 'a@x.test');
    const [first] = await sitemsg.scheduleMessages('once', to, { idempotencyKey: 'order-1' });
    const [second] = await sitemsg.scheduleMessages('twice', to, { idempotencyKey: 'order-1' });
    expect(second?.outcome).toBe('duplicate');
    expect(second?.message.id).toBe(first?.message.id);
    expect((await sitemsg.store.countDispatches()).pending).toBe(1);
  });

  it('drops duplicate recipients of one message', async () => {
    const { sitemsg } = setup();
    const to = [...sitemsg.recipients('test', 'a@x.test'), ...sitemsg.recipients('test', ['a@x.test'])];
    const [result] = await sitemsg.scheduleMessages('x', to);
    expect(result?.dispatches).toHaveLength(1);
  });
});

describe('sending', () => {
  it('sends due dispatches, marks them sent and emits events', async () => {
    const { sitemsg, messenger } = setup();
    const events: string[] = [];
    sitemsg.on('dispatch:sent', (e) => void events.push(`sent:${e.dispatch.address}:${e.providerMessageId}`));
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Body'),
      sitemsg.recipients('test', ['a@x.test', 'b@x.test']),
    );
    const counts = await sitemsg.sendScheduledMessages();
    expect(counts).toEqual({ sent: 2, error: 0, failed: 0, skipped: 0 });
    expect(messenger.sent.map((o) => o.compiled)).toEqual([
      { subject: 'Hi', text: 'Body' },
      { subject: 'Hi', text: 'Body' },
    ]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/^sent:a@x.test:p-\d+$/);
    const sent = await sitemsg.store.listDispatches({ status: 'sent' });
    expect(sent.map((d) => [d.attempts, d.dispatchedAt?.toISOString()])).toEqual([
      [1, '2026-01-01T00:00:00.000Z'],
      [1, '2026-01-01T00:00:00.000Z'],
    ]);
    expect(messenger.warmUps).toBe(1);
    expect(messenger.coolDowns).toBe(1);
  });

  it('derives a text alternative from HTML', async () => {
    const { sitemsg, messenger } = setup();
    await sitemsg.scheduleMessages(
      new EmailHtmlMessage('S', '<p>Tom &amp; <b>Jerry</b></p>'),
      sitemsg.recipients('test', 'a@x.test'),
    );
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent[0]?.compiled).toEqual({
      subject: 'S',
      html: '<p>Tom &amp; <b>Jerry</b></p>',
      text: 'Tom & Jerry',
    });
  });

  it('fails a permanent refusal at once and retries a retryable error with back-off up to the limit', async () => {
    class Limited extends MessageType {
      static override alias = 'limited';
      static override sendRetryLimit = 3;
    }
    const { sitemsg, messenger, clock } = setup({
      messageTypes: [Limited],
      backoff: { baseMs: 1000, jitter: 0 },
    });
    messenger.failPermanently.add('gone@x.test');
    messenger.failRetryably.add('busy@x.test');
    await sitemsg.scheduleMessages(
      new Limited({ text: 't' }),
      sitemsg.recipients('test', ['gone@x.test', 'busy@x.test']),
    );
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 0, error: 1, failed: 1, skipped: 0 });
    const [gone, busy] = await sitemsg.store.listDispatches({});
    expect(gone).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('550') });
    expect(busy).toMatchObject({ status: 'error', attempts: 1, nextAttemptAt: new Date(clock.now() + 1000) });
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 0, error: 0, failed: 0, skipped: 0 });
    clock.advance(1000);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ error: 1 });
    expect((await sitemsg.store.getDispatch(busy!.id))?.nextAttemptAt).toEqual(new Date(clock.now() + 2000));
    clock.advance(2000);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ failed: 1 });
    expect(await sitemsg.store.getDispatch(busy!.id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await sitemsg.store.listDispatchErrors(busy!.id)).toHaveLength(3);
  });

  it('treats a retry limit of 0 or 1 as fail-on-first-error and null as unlimited', async () => {
    class Once extends MessageType {
      static override alias = 'once';
      static override sendRetryLimit = 0;
    }
    class Forever extends MessageType {
      static override alias = 'forever';
      static override sendRetryLimit = null;
    }
    const { sitemsg, messenger, clock } = setup({
      messageTypes: [Once, Forever],
      backoff: { baseMs: 10, maxMs: 10, jitter: 0 },
    });
    messenger.failRetryably.add('busy@x.test');
    const to = sitemsg.recipients('test', 'busy@x.test');
    const [once] = await sitemsg.scheduleMessages(new Once({ text: 'x' }), to);
    const [forever] = await sitemsg.scheduleMessages(new Forever({ text: 'x' }), to);
    for (let i = 0; i < 15; i++) {
      await sitemsg.sendScheduledMessages();
      clock.advance(10);
    }
    expect((await sitemsg.store.listDispatches({ messageId: once!.message.id }))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    expect((await sitemsg.store.listDispatches({ messageId: forever!.message.id }))[0]).toMatchObject({
      status: 'error',
      attempts: 15,
    });
  });

  it('waits at least as long as the provider asked (Retry-After) before the next attempt', async () => {
    const { sitemsg, messenger, clock } = setup({ backoff: { baseMs: 1000, jitter: 0 } });
    messenger.send = async (batch) =>
      batch.map((o) => ({
        dispatchId: o.dispatch.id,
        result: err(new DeliveryError('429', { statusCode: 429, retryAfterMs: 90_000 })),
      }));
    const [s] = await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    await sitemsg.sendScheduledMessages();
    expect((await sitemsg.store.getDispatch(s!.dispatches[0]!.id))?.nextAttemptAt).toEqual(
      new Date(clock.now() + 90_000),
    );
  });

  it('lends the engine logger to registered messengers', async () => {
    const lines: string[] = [];
    const { messenger } = setup({ logger: { info: (m) => void lines.push(m) } });
    (messenger as unknown as { engine: { logger: { info(m: string): void } } }).engine.logger.info(
      'from plugin',
    );
    expect(lines).toEqual(['from plugin']);
  });

  it('marks the whole batch as a retryable error when warm-up fails', async () => {
    const { sitemsg, messenger } = setup();
    messenger.warmUpError = new Error('login refused');
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', ['a@x.test', 'b@x.test']));
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 0, error: 2, failed: 0, skipped: 0 });
    for (const d of await sitemsg.store.listDispatches({})) {
      expect(d.lastError).toContain('login refused');
      expect(d.status).toBe('error');
    }
    expect(messenger.sent).toHaveLength(0);
  });

  it('filters by exact priority and claims higher priorities first', async () => {
    const { sitemsg, messenger } = setup();
    const to = sitemsg.recipients('test', 'a@x.test');
    await sitemsg.scheduleMessages('low', to, { priority: 1 });
    await sitemsg.scheduleMessages('high', to, { priority: 10 });
    await sitemsg.scheduleMessages('mid', to, { priority: 5 });
    expect(await sitemsg.sendScheduledMessages({ priority: 5 })).toMatchObject({ sent: 1 });
    expect(messenger.sent.map((s) => s.compiled.text)).toEqual(['mid']);
    await sitemsg.sendScheduledMessages({ batchSize: 1 });
    expect(messenger.sent.map((s) => s.compiled.text)).toEqual(['mid', 'high', 'low']);
  });

  it('records unknown messengers and types as retryable errors, or leaves them pending when ignored', async () => {
    const { sitemsg } = setup();
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    const other = setup({ store: sitemsg.store, messengers: [] });
    expect(await other.sitemsg.sendScheduledMessages({ ignoreUnknownMessengers: true })).toEqual({
      sent: 0,
      error: 0,
      failed: 0,
      skipped: 0,
    });
    expect((await sitemsg.store.countDispatches()).pending).toBe(1);
    expect(await other.sitemsg.sendScheduledMessages()).toMatchObject({ error: 1 });
    const [d] = await sitemsg.store.listDispatches({});
    expect(d?.lastError).toContain('Unknown messenger "test"');
  });

  it('does not send before sendAt', async () => {
    const { sitemsg, clock, messenger } = setup();
    await sitemsg.scheduleMessages('later', sitemsg.recipients('test', 'a@x.test'), {
      sendAt: new Date(clock.now() + 60_000),
    });
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent).toHaveLength(0);
    clock.advance(60_000);
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent).toHaveLength(1);
  });

  it('compiles once per message unless the body reads dispatch-specific data', async () => {
    let compiles = 0;
    class Shared extends MessageType {
      static override alias = 'shared';
      static override compile(r: RenderContext): CompiledMessage {
        compiles++;
        return { text: String(r.context.text) };
      }
    }
    class Personal extends MessageType {
      static override alias = 'personal';
      static override allowUserSubscription = true;
      static override compile(r: RenderContext): CompiledMessage {
        compiles++;
        return { text: `bye: ${r.directiveUnsubscribe}` };
      }
    }
    const { sitemsg, messenger } = setup({ messageTypes: [Shared, Personal] });
    const to = sitemsg.recipients('test', ['a@x.test', 'b@x.test', 'c@x.test']);
    await sitemsg.scheduleMessages(new Shared({ text: 'x' }), to);
    await sitemsg.sendScheduledMessages();
    expect(compiles).toBe(1);
    await sitemsg.scheduleMessages(new Personal({}), to);
    await sitemsg.sendScheduledMessages();
    expect(compiles).toBe(4);
    const links = messenger.sent.slice(3).map((s) => s.compiled.text);
    expect(new Set(links).size).toBe(3);
    expect(links[0]).toMatch(
      /^bye: https:\/\/example\.test\/sitemsg\/unsubscribe\/\d+\/\d+\/[\w-]+\?r=[\w-]+$/,
    );
  });

  it('gives no unsubscribe link to types users cannot subscribe to, but always a mark-read link', async () => {
    class Reset extends MessageType {
      static override alias = 'reset';
      static override compile(r: RenderContext): CompiledMessage {
        return { text: `[${r.directiveUnsubscribe}] ${r.directiveMarkRead}` };
      }
    }
    const { sitemsg, messenger } = setup({ messageTypes: [Reset] });
    await sitemsg.scheduleMessages(new Reset({}), sitemsg.recipients('test', 'a@x.test'));
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent[0]?.unsubscribeUrl).toBe('');
    expect(messenger.sent[0]?.compiled.text).toMatch(/^\[\] https:\/\/example\.test\/sitemsg\/mark-read\//);
  });

  it('keeps a compile error to its own dispatch', async () => {
    class Picky extends MessageType {
      static override alias = 'picky';
      static override compile(r: RenderContext): CompiledMessage {
        if (r.recipient === 'bad@x.test') throw new Error('cannot render for this one');
        return { text: 'ok' };
      }
    }
    const { sitemsg } = setup({ messageTypes: [Picky] });
    await sitemsg.scheduleMessages(new Picky({}), sitemsg.recipients('test', ['bad@x.test', 'good@x.test']));
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 1, error: 1, failed: 0, skipped: 0 });
  });

  it('reclaims dispatches whose lease expired, and fails a dispatch that keeps crashing its worker', async () => {
    class Crashy extends MessageType {
      static override alias = 'crashy';
      static override sendRetryLimit = 2;
    }
    const { sitemsg, clock } = setup({ messageTypes: [Crashy], leaseMs: 30_000 });
    const [scheduled] = await sitemsg.scheduleMessages(
      new Crashy({ text: 'x' }),
      sitemsg.recipients('test', 'a@x.test'),
    );
    const id = scheduled!.dispatches[0]!.id;
    const claim = () =>
      sitemsg.store.claim({ owner: 'dead', limit: 10, now: new Date(clock.now()), leaseMs: 30_000 });
    expect(await claim()).toHaveLength(1);
    expect(await claim()).toHaveLength(0);
    clock.advance(30_000);
    expect(await claim()).toHaveLength(1);
    clock.advance(30_000);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ failed: 1 });
    expect(await sitemsg.store.getDispatch(id)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('a worker whose lease was taken over cannot overwrite the new owner', async () => {
    const { sitemsg, clock } = setup();
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    const now = () => new Date(clock.now());
    const [first] = await sitemsg.store.claim({ owner: 'old', limit: 1, now: now(), leaseMs: 1000 });
    clock.advance(1000);
    const [second] = await sitemsg.store.claim({ owner: 'new', limit: 1, now: now(), leaseMs: 1000 });
    expect(second?.dispatch.id).toBe(first?.dispatch.id);
    expect(
      await sitemsg.store.complete(
        'old',
        [{ dispatchId: first!.dispatch.id, status: 'failed', error: 'x' }],
        now(),
      ),
    ).toBe(0);
    expect(
      await sitemsg.store.complete('new', [{ dispatchId: first!.dispatch.id, status: 'sent' }], now()),
    ).toBe(1);
    expect((await sitemsg.store.getDispatch(first!.dispatch.id))?.status).toBe('sent');
  });
});

/** A memory store that logs when its claims and completions start and end, and can fail completions. */
class LoggingStore extends MemoryStore {
  readonly log: string[] = [];
  completeError: Error | null = null;
  /** Claims after this many fail. */
  claimsAllowed = Number.POSITIVE_INFINITY;

  override async claim(request: ClaimRequest) {
    this.log.push('claim:start');
    await Promise.resolve();
    if (this.claimsAllowed-- <= 0) throw new Error('claim failed');
    const claimed = await super.claim(request);
    this.log.push(`claim:end ${claimed.length}`);
    return claimed;
  }

  override async complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date) {
    this.log.push('complete:start');
    await Promise.resolve();
    if (this.completeError) throw this.completeError;
    const written = await super.complete(owner, outcomes, now);
    this.log.push(`complete:end ${written}`);
    return written;
  }
}

describe('batch pipeline', () => {
  it("claims the next batch while one sends, and writes each batch's outcomes before the next is sent", async () => {
    const store = new LoggingStore();
    const { sitemsg, messenger } = setup({ store });
    const send = messenger.send.bind(messenger);
    messenger.send = async (batch) => {
      store.log.push(`send ${batch.length}`);
      await Promise.resolve();
      return send(batch);
    };
    const addresses = Array.from({ length: 5 }, (_, i) => `u${i}@x.test`);
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', addresses));
    const progress: number[] = [];
    const counts = await sitemsg.sendScheduledMessages({
      batchSize: 2,
      onBatch: (c) => progress.push(c.sent),
    });
    expect(counts).toEqual({ sent: 5, error: 0, failed: 0, skipped: 0 });
    expect(progress).toEqual([2, 4, 5]);
    // Each claim after the first starts before the batch in hand is sent; each write ends before
    // the next batch is sent.
    expect(store.log).toEqual([
      'claim:start',
      'claim:end 2',
      'claim:start',
      'claim:end 2',
      'send 2',
      'complete:start',
      'complete:end 2',
      'claim:start',
      'claim:end 1',
      'send 2',
      'complete:start',
      'complete:end 2',
      'claim:start',
      'claim:end 0',
      'send 1',
      'complete:start',
      'complete:end 1',
    ]);
    const statuses = await sitemsg.store.listDispatches({ status: 'sent' });
    expect(statuses).toHaveLength(5);
  });

  it('ends a run once only dispatches it already retried come due again (no back-off)', async () => {
    const { sitemsg, messenger } = setup({ backoff: { baseMs: 0, maxMs: 0, jitter: 0 } });
    messenger.failRetryably.add('a@x.test');
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', ['a@x.test', 'b@x.test']));
    const counts = await sitemsg.sendScheduledMessages({ batchSize: 1 });
    // a failed, came due at once and was tried again in the same run; then the run ended.
    expect(counts).toEqual({ sent: 1, error: 2, failed: 0, skipped: 0 });
    expect(messenger.sent.map((o) => o.dispatch.address)).toEqual(['b@x.test']);
    expect((await sitemsg.store.listDispatches({ status: 'error' })).map((d) => d.attempts)).toEqual([2]);
  });

  it('finishes the batch in hand when a prefetched claim fails, then rejects with that error', async () => {
    const store = new LoggingStore();
    const { sitemsg, messenger } = setup({ store });
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', ['a@x.test', 'b@x.test']));
    store.claimsAllowed = 1;
    await expect(sitemsg.sendScheduledMessages({ batchSize: 1 })).rejects.toThrow('claim failed');
    expect(messenger.sent).toHaveLength(1);
    expect(await sitemsg.store.listDispatches({ status: 'sent' })).toHaveLength(1);
  });

  it('sends the batch claimed ahead when aborted, and claims nothing more', async () => {
    const store = new LoggingStore();
    const { sitemsg, messenger } = setup({ store });
    const addresses = Array.from({ length: 5 }, (_, i) => `u${i}@x.test`);
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', addresses));
    const stop = new AbortController();
    const send = messenger.send.bind(messenger);
    messenger.send = (batch) => {
      stop.abort();
      return send(batch);
    };
    const counts = await sitemsg.sendScheduledMessages({ batchSize: 2, signal: stop.signal });
    expect(counts.sent).toBe(4);
    expect(store.log.filter((e) => e === 'claim:start')).toHaveLength(2);
    expect(await sitemsg.store.listDispatches({ status: 'pending' })).toHaveLength(1);
  });

  it('stops claiming once a write fails for good and rejects with its error', async () => {
    const store = new LoggingStore();
    const { sitemsg, clock } = setup({ store, leaseMs: 1000 });
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', ['a@x.test', 'b@x.test', 'c@x.test']));
    store.completeError = new Error('database is down');
    const sending = sitemsg.sendScheduledMessages({ batchSize: 1 });
    // The engine retries the write once on the injected clock (500 ms), then the lease would be over.
    for (let i = 0; i < 100 && clock.pendingSleeps === 0; i++) await new Promise(setImmediate);
    expect(clock.pendingSleeps).toBe(1);
    clock.advance(500);
    await expect(sending).rejects.toThrow('database is down');
    expect(store.log.filter((e) => e === 'claim:start')).toHaveLength(2);
    expect(await sitemsg.store.listDispatches({ status: 'sent' })).toHaveLength(0);
  });
});

describe('registration', () => {
  it('refuses duplicate aliases and incompatible plugins before the first send', () => {
    const { sitemsg } = setup();
    expect(() => sitemsg.registerMessengerObjects(new TestMessenger())).toThrow(
      /Two messengers use the alias "test"/,
    );
    const old = Object.assign(new TestMessenger({ alias: 'old' }), { messengerContractVersion: 0 });
    expect(() => sitemsg.registerMessengerObjects(old as never)).toThrow(/contract 0/);
    expect(() => setup({ leaseMs: 5 })).toThrow(/leaseMs/);
    expect(() => setup({ secret: 'short' })).toThrow(/secret/);
    expect(() => setup({ bogus: 1 } as never)).toThrow(/Unknown option "bogus"/);
  });

  it('resolves a channel alias and a messenger class to the primary of several named messengers', () => {
    const backup = new TestMessenger({ alias: 'test_backup' });
    const main = new TestMessenger({ alias: 'test_main', primary: true });
    const { sitemsg } = setup({ messengers: [backup, main] });
    expect(sitemsg.getRegisteredMessengerObject('test')).toBe(main);
    expect(sitemsg.recipients(TestMessenger, 'a@x.test')).toEqual([
      { messenger: 'test_main', address: 'a@x.test', userId: null },
    ]);
    expect(sitemsg.recipients('test_backup', 'a@x.test')[0]?.messenger).toBe('test_backup');
    expect(() => setup({ messengers: [main, new TestMessenger({ alias: 'other', primary: true })] })).toThrow(
      /Two messengers are marked primary for channel "test"/,
    );
  });

  it('lets a reusable app use its default type unless the application overrides it', () => {
    class Default extends MessageType {
      static override alias = 'lib_welcome';
    }
    class Custom extends MessageType {
      static override alias = 'my_welcome';
    }
    const { sitemsg } = setup({ messageTypes: [Default, Custom] });
    expect(sitemsg.getMessageTypeForApp('lib', 'lib_welcome')).toBe(Default);
    sitemsg.overrideMessageTypeForApp('lib', 'lib_welcome', 'my_welcome');
    expect(sitemsg.getMessageTypeForApp('lib', 'lib_welcome')).toBe(Custom);
    expect(sitemsg.getMessageTypeForApp('other', 'lib_welcome')).toBe(Default);
    expect(() => sitemsg.overrideMessageTypeForApp('lib', 'lib_welcome', 'missing')).toThrow(
      UnknownMessageTypeError,
    );
  });
});
