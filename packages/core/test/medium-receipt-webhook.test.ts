import { describe, expect, it } from 'vitest';
import { createSitemsg, ManualClock } from '../src/index.js';
import {
  ALL_MESSAGE_TYPES,
  ALL_MESSENGERS,
  ConfigurationError,
  type DispatchResult,
  MAX_RECEIPT_BYTES,
  Messenger,
  type MessengerEngineContext,
  type OutgoingDispatch,
  ok,
} from '../src/plugin.js';
import { setup, TestMessenger } from './helpers.js';

/** An SMS-like messenger: declares the `sms` medium and reports what each message costs. */
class SmsLike extends TestMessenger {
  static override alias = 'smslike';
  override readonly medium = 'sms';
  receipt: Record<string, unknown> = { segments: 2, encoding: 'GSM-7' };

  override async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    const results = await super.send(batch);
    return results.map((r) =>
      r.result.ok
        ? { dispatchId: r.dispatchId, result: ok({ ...r.result.value, receipt: this.receipt as never }) }
        : r,
    );
  }
}

/** Keeps the context the engine lends it, to read webhookUrl from. */
class Peeking extends Messenger {
  static override alias = 'peek';
  get context(): MessengerEngineContext {
    return this.engine;
  }
  async send(): Promise<DispatchResult[]> {
    return [];
  }
}

function twoSmsProviders(siteUrl?: string) {
  const a = new SmsLike({ alias: 'sms_a' });
  const b = new SmsLike({ alias: 'sms_b' });
  const mail = new TestMessenger();
  const t = setup({ messengers: [a, b, mail], ...(siteUrl && { siteUrl }) });
  return { ...t, a, b, mail };
}

describe('medium-wide suppressions', () => {
  it('an opt-out through one SMS messenger suppresses the number on the others, not on other media', async () => {
    const { sitemsg, a, b, mail } = twoSmsProviders();
    const outcome = await sitemsg.recordFeedback({ kind: 'opted-out', messenger: 'sms_a', address: 'n@sms' });
    expect(outcome.suppressed).toBe(true);
    // Stored once, at medium scope, for every type.
    expect(
      await sitemsg.store.findSuppressed('plain', [{ messenger: 'sms_b', address: 'n@sms' }], {
        sms_b: 'sms',
      }),
    ).toEqual([
      { messageType: ALL_MESSAGE_TYPES, messenger: ALL_MESSENGERS, medium: 'sms', address: 'n@sms' },
    ]);
    const results = await sitemsg.scheduleMessages('hello', [
      ...sitemsg.recipients('sms_a', 'n@sms'),
      ...sitemsg.recipients('sms_b', 'n@sms'),
      ...sitemsg.recipients('test', 'n@sms'),
    ]);
    expect(results[0]!.dispatches.map((d) => d.messenger)).toEqual(['test']);
    await sitemsg.sendScheduledMessages();
    expect([a.sent.length, b.sent.length, mail.sent.length]).toEqual([0, 0, 1]);
  });

  it('holds on an SMS messenger registered later, and at send time for dispatches scheduled before', async () => {
    const { sitemsg, b } = twoSmsProviders();
    const [early] = await sitemsg.scheduleMessages('before the STOP', sitemsg.recipients('sms_b', 'n@sms'));
    await sitemsg.recordFeedback({ kind: 'opted-out', messenger: 'sms_a', address: 'n@sms' });
    const late = new SmsLike({ alias: 'sms_c' });
    sitemsg.registerMessengerObjects(late);
    const [none] = await sitemsg.scheduleMessages('hello', sitemsg.recipients('sms_c', 'n@sms'));
    expect(none!.dispatches).toEqual([]);
    const counts = await sitemsg.sendScheduledMessages();
    expect(counts).toMatchObject({ sent: 0, skipped: 1 });
    expect(b.sent).toEqual([]);
    expect((await sitemsg.store.getDispatch(early!.dispatches[0]!.id))?.status).toBe('failed');
  });

  it('an opt-in through either messenger lifts it; a messenger without a medium keeps its own', async () => {
    const { sitemsg } = twoSmsProviders();
    await sitemsg.recordFeedback({ kind: 'opted-out', messenger: 'sms_a', address: 'n@sms' });
    await sitemsg.recordFeedback({ kind: 'complained', messenger: 'test', address: 'n@sms' });
    await sitemsg.recordFeedback({ kind: 'opted-in', messenger: 'sms_b', address: 'n@sms' });
    const [again] = await sitemsg.scheduleMessages('back', [
      ...sitemsg.recipients('sms_a', 'n@sms'),
      ...sitemsg.recipients('test', 'n@sms'),
    ]);
    expect(again!.dispatches.map((d) => d.messenger)).toEqual(['sms_a']);
  });

  it('prepareDispatches leaves a medium-wide suppressed subscriber out', async () => {
    const { sitemsg } = twoSmsProviders();
    await sitemsg.store.addSubscription({
      messageType: 'plain',
      messenger: 'sms_b',
      userId: null,
      address: 'n@sms',
    });
    await sitemsg.recordFeedback({ kind: 'address-invalid', messenger: 'sms_a', address: 'n@sms' });
    await sitemsg.scheduleMessages('to subscribers');
    expect(await sitemsg.prepareDispatches()).toBe(0);
  });

  it('refuses a messenger whose medium is not a lower-case name', () => {
    class Bad extends TestMessenger {
      static override alias = 'bad';
      override readonly medium = 'S M S';
    }
    expect(() => setup({ messengers: [new Bad()] })).toThrow(ConfigurationError);
  });
});

describe('receipts', () => {
  it('keeps what the messenger reported on the dispatch and in dispatch:sent', async () => {
    const { sitemsg } = twoSmsProviders();
    const events: unknown[] = [];
    sitemsg.on('dispatch:sent', (e) => void events.push(e.receipt));
    const [r] = await sitemsg.scheduleMessages('hello', sitemsg.recipients('sms_a', 'n@sms'));
    await sitemsg.sendScheduledMessages();
    const dispatch = await sitemsg.store.getDispatch(r!.dispatches[0]!.id);
    expect(dispatch?.receipt).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(events).toEqual([{ segments: 2, encoding: 'GSM-7' }]);
    const plain = await sitemsg.scheduleMessages('mail', sitemsg.recipients('test', 'm@x.test'));
    await sitemsg.sendScheduledMessages();
    expect((await sitemsg.store.getDispatch(plain[0]!.dispatches[0]!.id))?.receipt).toBeNull();
  });

  it('does not keep a receipt that is not small plain JSON, and says so; the dispatch is still sent', async () => {
    const a = new SmsLike({ alias: 'sms_a' });
    const warnings: string[] = [];
    const t = setup({
      messengers: [a],
      logger: { warn: (m: string) => void warnings.push(m), error: () => {} },
    });
    for (const receipt of [{ blob: 'x'.repeat(MAX_RECEIPT_BYTES) }, { when: new Date(0) }]) {
      a.receipt = receipt;
      const [r] = await t.sitemsg.scheduleMessages('hello', t.sitemsg.recipients('sms_a', 'n@sms'));
      await t.sitemsg.sendScheduledMessages();
      const dispatch = await t.sitemsg.store.getDispatch(r!.dispatches[0]!.id);
      expect(dispatch).toMatchObject({ status: 'sent', receipt: null });
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/receipt of dispatch \d+ is not kept: .*over 1024/);
    expect(warnings[1]).toMatch(/receipt\.when is a Date instance/);
  });
});

describe('webhookUrl', () => {
  it("is the express-views webhook route under the site's URL and linkBasePath", () => {
    const peek = new Peeking();
    createSitemsg({ messengers: [peek], siteUrl: 'https://shop.example/', linkBasePath: '/hooks/sitemsg' });
    expect(peek.context.webhookUrl('twilio')).toBe('https://shop.example/hooks/sitemsg/webhooks/twilio');
    const engine = createSitemsg({ siteUrl: 'https://shop.example' });
    expect(engine.webhookUrl('vonage')).toBe('https://shop.example/sitemsg/webhooks/vonage');
    expect(() => engine.webhookUrl('Not A Name')).toThrow(ConfigurationError);
  });

  it('is null without a siteUrl (no public address to give a provider) and before registration', () => {
    const peek = new Peeking();
    expect(peek.context.webhookUrl('twilio')).toBeNull();
    createSitemsg({ messengers: [peek], clock: new ManualClock(new Date(0)) });
    expect(peek.context.webhookUrl('twilio')).toBeNull();
  });
});
