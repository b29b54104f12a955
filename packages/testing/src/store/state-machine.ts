import type { Store } from '@sitemsg/core/plugin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T0, to } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';
import { DispatchModel, ranksBefore } from './model.js';

type Op =
  | { kind: 'schedule'; count: number; priority: number; delayMs: number }
  | { kind: 'claim'; worker: number; limit: number; leaseMs: number; priority: number | undefined }
  | { kind: 'complete'; worker: number; pick: number; status: 'sent' | 'error' | 'failed'; retryMs: number }
  | { kind: 'stale'; worker: number; pick: number }
  | { kind: 'renew'; worker: number; extendMs: number }
  | { kind: 'advance'; ms: number };

const worker = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  weighted(3, {
    kind: fc.constant('schedule' as const),
    count: fc.integer({ min: 1, max: 3 }),
    priority: fc.integer({ min: 0, max: 2 }),
    delayMs: fc.constantFrom(0, 0, 500, 2500),
  }),
  weighted(4, {
    kind: fc.constant('claim' as const),
    worker,
    limit: fc.integer({ min: 1, max: 4 }),
    leaseMs: fc.constantFrom(1000, 3000),
    priority: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  }),
  weighted(3, {
    kind: fc.constant('complete' as const),
    worker,
    pick: fc.nat(),
    status: fc.constantFrom('sent' as const, 'error' as const, 'failed' as const),
    retryMs: fc.constantFrom(0, 1000, 2500),
  }),
  weighted(2, { kind: fc.constant('stale' as const), worker, pick: fc.nat() }),
  weighted(2, { kind: fc.constant('renew' as const), worker, extendMs: fc.constantFrom(500, 2000, 4000) }),
  weighted(3, { kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 400, 1000, 2600) }),
);

function weighted<T>(weight: number, fields: { [K in keyof T]: fc.Arbitrary<T[K]> }) {
  return { weight, arbitrary: fc.record(fields) };
}

/** Runs one sequence of operations against two workers' stores and the model, checking as it goes. */
class Run {
  private readonly model = new DispatchModel(T0.getTime());
  private addressSeq = 0;

  private readonly stores: readonly [Store, Store];

  constructor(stores: readonly [Store, Store]) {
    this.stores = stores;
  }

  private get now(): Date {
    return new Date(this.model.now);
  }

  async apply(o: Op): Promise<void> {
    if (o.kind === 'advance') this.model.now += o.ms;
    else if (o.kind === 'schedule') await this.schedule(o.count, o.priority, o.delayMs);
    else if (o.kind === 'claim') await this.claim(o.worker, o.limit, o.leaseMs, o.priority);
    else if (o.kind === 'complete') await this.complete(o.worker, o.pick, o.status, o.retryMs);
    else if (o.kind === 'stale') await this.stale(o.worker, o.pick);
    else await this.renew(o.worker, o.extendMs);
    expect(await this.stores[1].countDispatches()).toEqual(this.model.counts());
  }

  private async schedule(count: number, priority: number, delayMs: number): Promise<void> {
    const addresses = Array.from({ length: count }, () => `r${++this.addressSeq}@x.test`);
    const sendAt = delayMs > 0 ? new Date(this.model.now + delayMs) : null;
    const result = await this.stores[0].schedule({
      message: { ...baseMessage, priority, sendAt },
      dispatches: to(addresses),
      now: this.now,
    });
    expect(result.dispatches).toHaveLength(count);
    for (const d of result.dispatches) this.model.add(d.id, priority, this.model.now + delayMs);
  }

  private async claim(
    w: number,
    limit: number,
    leaseMs: number,
    priority: number | undefined,
  ): Promise<void> {
    const owner = `w${w}`;
    const eligible = this.model.eligible(priority);
    const claimed = await this.stores[w]!.claim({
      owner,
      limit,
      now: this.now,
      leaseMs,
      ...(priority !== undefined && { priority }),
    });
    const taken = new Set(claimed.map((c) => c.dispatch.id));
    expect(taken.size).toBe(claimed.length);
    expect(claimed.length).toBe(Math.min(limit, eligible.length));
    const eligibleIds = new Set(eligible.map((d) => d.id));
    for (const id of taken) expect(eligibleIds.has(id), `claimed ${id}, which was not claimable`).toBe(true);
    const left = eligible.filter((d) => !taken.has(d.id));
    for (const c of claimed) {
      const mine = this.model.dispatches.get(c.dispatch.id)!;
      for (const other of left) expect(ranksBefore(other, mine), 'claim order').toBe(false);
      expect(c.dispatch.status).toBe('processing');
      expect(c.dispatch.leaseOwner).toBe(owner);
      expect(c.dispatch.attempts).toBe(mine.claims + 1);
      expect(c.dispatch.leaseExpiresAt).toEqual(new Date(this.model.now + leaseMs));
      this.model.lease(c.dispatch.id, owner, leaseMs);
    }
  }

  private async complete(
    w: number,
    pick: number,
    status: 'sent' | 'error' | 'failed',
    retryMs: number,
  ): Promise<void> {
    const held = this.model.heldBy(`w${w}`);
    if (held.length === 0) return;
    const id = held[pick % held.length]!.id;
    const retryAt = this.model.now + retryMs;
    const outcome =
      status === 'error'
        ? { dispatchId: id, status, error: 'retry', nextAttemptAt: new Date(retryAt) }
        : status === 'failed'
          ? { dispatchId: id, status, error: 'permanent' }
          : { dispatchId: id, status };
    expect(await this.stores[w]!.complete(`w${w}`, [outcome], this.now)).toBe(1);
    this.model.finish(id, status, retryAt);
  }

  private async stale(w: number, pick: number): Promise<void> {
    // Half the time aim at what the other worker holds: the write a fence exists to stop.
    const rival = this.model.heldBy(`w${1 - w}`);
    const candidates = rival.length > 0 && pick % 2 === 0 ? rival : this.model.notHeldBy(`w${w}`);
    if (candidates.length === 0) return;
    const target = candidates[pick % candidates.length]!;
    const sent = [{ dispatchId: target.id, status: 'sent' as const }];
    expect(await this.stores[w]!.complete(`w${w}`, sent, this.now), 'a write by a non-owner').toBe(0);
    expect((await this.stores[w]!.getDispatch(target.id))?.status).toBe(target.status);
  }

  private async renew(w: number, extendMs: number): Promise<void> {
    const held = this.model.heldBy(`w${w}`);
    const foreign = [...this.model.heldBy(`w${1 - w}`), ...this.model.notHeldBy(`w${w}`).slice(0, 1)];
    const until = this.model.now + extendMs;
    const count = await this.stores[w]!.renewLeases(
      `w${w}`,
      [...new Set([...held, ...foreign].map((d) => d.id))],
      new Date(until),
    );
    expect(count).toBe(held.length);
    for (const d of held) d.leaseUntil = until;
  }

  /** Every dispatch in exactly one status, as the model says; attempts equal the claims that returned it. */
  async verify(): Promise<void> {
    const stored = await this.stores[0].listDispatches({});
    expect(stored).toHaveLength(this.model.dispatches.size);
    for (const d of stored) {
      const m = this.model.dispatches.get(d.id);
      expect(m, `unknown dispatch ${d.id}`).toBeDefined();
      expect(d.status).toBe(m!.status);
      expect(d.attempts).toBe(m!.claims);
      expect(d.leaseOwner).toBe(m!.status === 'processing' ? m!.owner : null);
    }
  }
}

const baseMessage = {
  type: 'conformance_plain',
  context: { text: 'property' },
  senderId: null,
  idempotencyKey: null,
  groupMark: null,
  dispatchesReady: true,
};

/** Random sequences of schedule / claim / complete / renew / advance-time against a model. */
export function stateMachineCases(harness: StoreHarness): void {
  describe('dispatch state machine (property-based)', () => {
    it('matches a simple model under random operations by two workers', async () => {
      const s = session(harness);
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40, size: 'max' }), async (ops) => {
          const namespace = s.fresh();
          try {
            const run = new Run([await s.open(namespace), await s.open(namespace)]);
            for (const o of ops) await run.apply(o);
            await run.verify();
          } finally {
            await s.release(namespace);
          }
        }),
        { numRuns: fc.readConfigureGlobal().numRuns ?? 50 },
      );
    }, 300_000);
  });
}
