// The engine on top of the store: what an application sees. These cases hold every store to
// "nothing sent twice, nothing half-written": a provider answer the store could not have written,
// a message it could not have stored, a link that must outlive cleanup.
import {
  type AddressInvalid,
  createSitemsg,
  ManualClock,
  MessageType,
  parseSignedLink,
  type Sitemsg,
} from '@sitemsg/core';
import {
  DeliveryError,
  type DispatchResult,
  err,
  Messenger,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
  type Store,
  ValidationError,
} from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { T0 } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** Answers each address as told by its name: `poison…` gets an error text with NUL and broken UTF-16. */
class ScriptedMessenger extends Messenger {
  static override alias = 'scripted';
  readonly sent: string[] = [];
  /** The unsubscribe link each address received. */
  readonly links: Map<string, string> = new Map();

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map(({ dispatch, unsubscribeUrl }) => {
      if (dispatch.address.startsWith('poison')) {
        const text = '550 5.1.1 user\u0000unknown \ud800 \u001b[31m';
        return { dispatchId: dispatch.id, result: err(new DeliveryError(text, { retryable: true })) };
      }
      this.sent.push(dispatch.address);
      if (unsubscribeUrl) this.links.set(dispatch.address, unsubscribeUrl);
      return { dispatchId: dispatch.id, result: ok({ providerMessageId: `id-${dispatch.id}` }) };
    });
  }
}

class Newsletter extends MessageType<{ text: string }> {
  static override alias = 'conformance_newsletter';
  static override allowUserSubscription = true;
  static override sendRetryLimit = 2;
}

interface Engine {
  sitemsg: Sitemsg;
  clock: ManualClock;
  messenger: ScriptedMessenger;
  /** What `onAddressInvalid` was told. */
  invalid: AddressInvalid[];
}

async function engine(store: Store): Promise<Engine> {
  const clock = new ManualClock(T0);
  const messenger = new ScriptedMessenger();
  const invalid: AddressInvalid[] = [];
  const sitemsg = createSitemsg({
    store,
    onAddressInvalid: (dead) => void invalid.push(dead),
    clock,
    random: () => 0.5,
    messengers: [messenger],
    messageTypes: [Newsletter],
    secret: 'conformance-secret-0123456789',
    siteUrl: 'https://site.test',
    workerId: 'conformance-worker',
    backoff: { baseMs: 1000, maxMs: 1000 },
  });
  await sitemsg.init();
  return { sitemsg, clock, messenger, invalid };
}

export function engineCases(harness: StoreHarness): void {
  describe('through the engine', () => {
    it('records a provider answer the store could not hold as a readable error, and sends nothing twice', async () => {
      const { sitemsg, clock, messenger } = await engine(await session(harness).open());
      const to = sitemsg.recipients('scripted', ['good1@x.test', 'poison@x.test', 'good2@x.test']);
      await sitemsg.scheduleMessages(new Newsletter({ text: 'hi' }), to);
      for (let round = 0; round < 4; round++) {
        await sitemsg.sendScheduledMessages();
        clock.advance(60_000); // past back-off and any lease
      }
      expect(messenger.sent.sort()).toEqual(['good1@x.test', 'good2@x.test']);
      const dispatches = await sitemsg.store.listDispatches({});
      expect(dispatches.filter((d) => d.status === 'processing')).toEqual([]);
      const poisoned = dispatches.find((d) => d.address === 'poison@x.test')!;
      expect(poisoned.status).toBe('failed');
      expect(poisoned.lastError).toContain('550 5.1.1 user\ufffdunknown \ufffd \ufffd[31m');
      const log = await sitemsg.store.listDispatchErrors(poisoned.id);
      expect(log).toHaveLength(2);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be stored.
      expect(log.every((e) => !/[\u0000\ud800]/.test(e.error))).toBe(true);
    });

    it('refuses a context no store can hold at scheduling, naming the path, and writes nothing', async () => {
      const { sitemsg } = await engine(await session(harness).open());
      const to = sitemsg.recipients('scripted', ['a@x.test']);
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const bad: [unknown, RegExp][] = [
        [10n, /context\.extra is a bigint/],
        [cycle, /context\.extra\.self is a circular reference/],
        [() => 1, /context\.extra is a function/],
        [[1, undefined], /context\.extra\[1\] is a undefined/],
        [new Date(0), /context\.extra is a Date instance/],
        ['nul\u0000here', /context\.extra contains NUL/],
        ['broken \udc00 pair', /context\.extra contains NUL or a broken UTF-16 pair/],
        [JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`), /nests deeper than 64 levels/],
      ];
      for (const [extra, message] of bad) {
        const good = new Newsletter({ text: 'kept?' });
        const mutated = new Newsletter({ text: 'changed after construction' });
        (mutated.context as Record<string, unknown>).extra = extra;
        const attempt = sitemsg.scheduleMessages([good, mutated], to);
        await expect(attempt).rejects.toThrow(ValidationError);
        await expect(sitemsg.scheduleMessages(mutated, to)).rejects.toThrow(message);
      }
      expect(await sitemsg.store.listDispatches({})).toEqual([]);
      expect(await sitemsg.store.listPostponedMessages(10)).toEqual([]);
    });

    it('refuses values no store can hold in addresses, ids, keys, priorities and dates, and writes nothing', async () => {
      const { sitemsg } = await engine(await session(harness).open());
      const message = (): Newsletter => new Newsletter({ text: 'x' });
      const to = sitemsg.recipients('scripted', ['a@x.test']);
      const attempts: [() => Promise<unknown>, RegExp][] = [
        [
          () => sitemsg.scheduleMessages(message(), sitemsg.recipients('scripted', 'a\u0000@x.test')),
          /address/,
        ],
        [
          async () =>
            sitemsg.scheduleMessages(
              message(),
              sitemsg.recipients('scripted', { id: 'u\ud800', email: 'b@x.test' }),
            ),
          /id/,
        ],
        [
          async () =>
            sitemsg.scheduleMessages(
              message(),
              sitemsg.recipients('scripted', { _id: 7, email: 'b@x.test' } as never),
            ),
          /no usable id/,
        ],
        [async () => sitemsg.scheduleMessages(message(), to, { sender: 'me\u0000' }), /sender/],
        [
          async () => sitemsg.scheduleMessages(message(), to, { idempotencyKey: 'k\u0000' }),
          /idempotencyKey/,
        ],
        [
          () => sitemsg.scheduleMessages(message(), to, { idempotencyKey: 7 as never }),
          /idempotencyKey must be a non-empty string/,
        ],
        [
          () => sitemsg.scheduleMessages(message(), to, { idempotencyKey: '' }),
          /idempotencyKey must be a non-empty string/,
        ],
        [async () => sitemsg.scheduleMessages(message(), to, { priority: 2 ** 31 }), /32-bit integer/],
        [async () => sitemsg.scheduleMessages(message(), to, { priority: 1.5 }), /32-bit integer/],
        [async () => sitemsg.scheduleMessages(message(), to, { sendAt: new Date(Number.NaN) }), /sendAt/],
        [
          () => sitemsg.scheduleMessages(message(), to, { sendAt: new Date(Date.UTC(20_000, 0, 1)) }),
          /sendAt/,
        ],
        [
          async () => sitemsg.scheduleMessages(message(), to, { prioity: 5 } as never),
          /unknown option "prioity"/,
        ],
      ];
      for (const [attempt, text] of attempts) {
        await expect(attempt()).rejects.toThrow(ValidationError);
        await expect(attempt()).rejects.toThrow(text);
      }
      expect(await sitemsg.store.listDispatches({})).toEqual([]);
    });

    it('keeps unsubscribe links working after cleanup deleted their dispatches and messages', async () => {
      const { sitemsg, clock, messenger } = await engine(await session(harness).open());
      const send = async (addresses: string[]): Promise<void> => {
        await sitemsg.scheduleMessages(
          new Newsletter({ text: 'news' }),
          sitemsg.recipients('scripted', addresses),
        );
        await sitemsg.sendScheduledMessages();
      };
      await send(['kept@x.test']);
      clock.advance(86_400_000);
      expect(await sitemsg.cleanupSentMessages({ ago: 0, dispatchesOnly: true })).toEqual({
        dispatches: 1,
        messages: 0,
      });
      await send(['gone@x.test']);
      clock.advance(86_400_000);
      expect(await sitemsg.cleanupSentMessages({ ago: 0 })).toEqual({ dispatches: 1, messages: 1 });
      const kept = parseSignedLink(messenger.links.get('kept@x.test')!)!.link;
      const gone = parseSignedLink(messenger.links.get('gone@x.test')!)!.link;
      expect(await sitemsg.handleUnsubscribeLink(kept)).toEqual({ ok: true, value: { changed: true } });
      expect(await sitemsg.handleUnsubscribeLink(gone)).toEqual({ ok: true, value: { changed: true } });
      expect(await sitemsg.handleUnsubscribeLink(gone)).toEqual({ ok: true, value: { changed: false } });
      const [again] = await sitemsg.scheduleMessages(
        new Newsletter({ text: 'again' }),
        sitemsg.recipients('scripted', ['kept@x.test', 'gone@x.test', 'new@x.test']),
      );
      expect(again!.dispatches.map((d) => d.address)).toEqual(['new@x.test']);
      // The sealed recipient is covered by the signature: another link's recipient is refused.
      expect((await sitemsg.handleUnsubscribeLink({ ...kept, recipient: gone.recipient! })).ok).toBe(false);
    });

    it('records feedback by provider id, suppresses the address for every type, and schedules around it', async () => {
      const { sitemsg, invalid } = await engine(await session(harness).open());
      const [scheduled] = await sitemsg.scheduleMessages(
        new Newsletter({ text: 'hi' }),
        sitemsg.recipients('scripted', [{ id: 'u1', email: 'dead@x.test' }, 'alive@x.test', 'soft@x.test']),
      );
      await sitemsg.sendScheduledMessages();
      const dead = scheduled!.dispatches.find((d) => d.address === 'dead@x.test')!;
      const soft = scheduled!.dispatches.find((d) => d.address === 'soft@x.test')!;
      const heard: string[] = [];
      sitemsg.on('feedback:recorded', (f) => void heard.push(`${f.kind}:${f.address}:${f.suppressed}`));
      const first = await sitemsg.recordFeedback({
        kind: 'address-invalid',
        messenger: 'scripted',
        providerMessageId: `id-${dead.id}`,
        providerCode: 'UNREGISTERED',
        eventId: 'ev-1',
      });
      expect(first).toEqual({
        recorded: true,
        dispatchId: dead.id,
        address: 'dead@x.test',
        suppressed: true,
      });
      expect(
        await sitemsg.recordFeedback({
          kind: 'address-invalid',
          messenger: 'scripted',
          dispatchId: dead.id,
          eventId: 'ev-1',
        }),
      ).toMatchObject({ recorded: false });
      await sitemsg.recordFeedback({
        kind: 'bounced',
        bounce: 'soft',
        messenger: 'scripted',
        dispatchId: soft.id,
      });
      await sitemsg.recordFeedback({ kind: 'opted-out', messenger: 'scripted', address: 'stop@x.test' });
      expect(heard).toEqual([
        'address-invalid:dead@x.test:true',
        'bounced:soft@x.test:false',
        'opted-out:stop@x.test:true',
      ]);
      expect(invalid).toEqual([
        {
          messenger: 'scripted',
          address: 'dead@x.test',
          userId: 'u1',
          dispatch: expect.objectContaining({ id: dead.id }),
        },
      ]);
      expect((await sitemsg.store.listFeedback(dead.id)).map((f) => [f.kind, f.providerCode])).toEqual([
        ['address-invalid', 'UNREGISTERED'],
      ]);
      class Other extends Newsletter {
        static override alias = 'conformance_other';
      }
      sitemsg.registerMessageTypes(Other);
      const [next] = await sitemsg.scheduleMessages(
        new Other({ text: 'later' }),
        sitemsg.recipients('scripted', ['dead@x.test', 'stop@x.test', 'soft@x.test', 'alive@x.test']),
      );
      expect(next!.dispatches.map((d) => d.address)).toEqual(['soft@x.test', 'alive@x.test']);
      await sitemsg.recordFeedback({ kind: 'opted-in', messenger: 'scripted', address: 'stop@x.test' });
      const [after] = await sitemsg.scheduleMessages(
        new Other({ text: 'again' }),
        sitemsg.recipients('scripted', 'stop@x.test'),
      );
      expect(after!.dispatches.map((d) => d.address)).toEqual(['stop@x.test']);
    });
  });
}
