import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { type CompletionOutcome, StoreError } from '../src/plugin.js';
import { setup } from './helpers.js';

/** A store that refuses any write holding one dispatch's outcome, as a constraint would. */
class RefusingStore extends MemoryStore {
  refused: string | null = null;
  refuseFailedToo = false;
  writes = 0;

  override async complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date) {
    this.writes++;
    const poisoned = outcomes.find((o) => o.dispatchId === this.refused);
    if (poisoned && (this.refuseFailedToo || poisoned.status !== 'failed')) {
      throw new StoreError('value too long for the column');
    }
    return super.complete(owner, outcomes, now);
  }
}

describe('recording outcomes', () => {
  it('writes the other outcomes of a batch when the store refuses one, and fails that one with the reason', async () => {
    const store = new RefusingStore();
    const { sitemsg, messenger, clock } = setup({ store });
    const [scheduled] = await sitemsg.scheduleMessages(
      'hello',
      sitemsg.recipients('test', ['a@x.test', 'b@x.test', 'c@x.test']),
    );
    store.refused = scheduled!.dispatches[1]!.id;
    const counts = await sitemsg.sendScheduledMessages();
    expect(counts).toEqual({ sent: 2, error: 0, failed: 1, skipped: 0 });
    clock.advance(3_600_000);
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 0, error: 0, failed: 0, skipped: 0 });
    expect(messenger.sent.map((s) => s.dispatch.address)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    const refused = await sitemsg.store.getDispatch(store.refused);
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused?.lastError).toMatch(
      /the store refused this outcome \(sent\): StoreError: .*value too long/,
    );
    expect((await sitemsg.store.listDispatches({ status: 'sent' })).map((d) => d.address)).toEqual([
      'a@x.test',
      'c@x.test',
    ]);
  });

  it('leaves a dispatch to its lease only when not even its failure can be written', async () => {
    const store = new RefusingStore();
    const { sitemsg, clock } = setup({ store, leaseMs: 1000 });
    const [scheduled] = await sitemsg.scheduleMessages(
      'hello',
      sitemsg.recipients('test', ['a@x.test', 'b@x.test']),
    );
    store.refused = scheduled!.dispatches[1]!.id;
    store.refuseFailedToo = true;
    const sending = sitemsg.sendScheduledMessages();
    for (let i = 0; i < 100 && clock.pendingSleeps === 0; i++) await new Promise(setImmediate);
    clock.advance(500);
    await expect(sending).rejects.toThrow('value too long');
    expect((await sitemsg.store.getDispatch(scheduled!.dispatches[0]!.id))?.status).toBe('sent');
    expect((await sitemsg.store.getDispatch(store.refused))?.status).toBe('processing');
  });
});

/** A store whose connection drops for the next `drops` writes of any outcome batch. */
class DroppingStore extends MemoryStore {
  drops = 0;

  override async complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date) {
    if (this.drops > 0) {
      this.drops--;
      throw new StoreError('connection terminated unexpectedly', { unavailable: true });
    }
    return super.complete(owner, outcomes, now);
  }
}

describe('recording outcomes through an outage', () => {
  it('never records an outcome as refused when the store says it was unreachable', async () => {
    const store = new DroppingStore();
    const { sitemsg, clock } = setup({ store, leaseMs: 60_000 });
    const [scheduled] = await sitemsg.scheduleMessages(
      'hello',
      sitemsg.recipients('test', ['a@x.test', 'b@x.test']),
    );
    // The batch write and both single writes of the first outcome fail; the connection is back
    // for the `failed` form a refusal would write: without the store's word, `sent` became `failed`.
    store.drops = 3;
    const sending = sitemsg.sendScheduledMessages();
    for (let i = 0; i < 100 && clock.pendingSleeps === 0; i++) await new Promise(setImmediate);
    expect(store.drops).toBe(0);
    clock.advance(500);
    expect(await sending).toEqual({ sent: 2, error: 0, failed: 0, skipped: 0 });
    for (const dispatch of scheduled!.dispatches) {
      expect((await sitemsg.store.getDispatch(dispatch.id))?.status).toBe('sent');
    }
  });
});
