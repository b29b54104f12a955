import type { DispatchCounts, DispatchStatus } from '@sitemsg/core/plugin';

/** What the state-machine property believes about one dispatch. */
export interface ModelDispatch {
  readonly id: string;
  readonly priority: number;
  readonly createdAt: number;
  status: DispatchStatus;
  owner: string | null;
  leaseUntil: number | null;
  /** When a pending or errored dispatch becomes claimable. */
  dueAt: number;
  /** How many times a claim returned it: the store's `attempts` must equal it. */
  claims: number;
}

/** A simple, obviously correct model of the dispatch state machine. */
export class DispatchModel {
  readonly dispatches: Map<string, ModelDispatch> = new Map();
  now: number;

  constructor(start: number) {
    this.now = start;
  }

  add(id: string, priority: number, dueAt: number): void {
    this.dispatches.set(id, {
      id,
      priority,
      createdAt: this.now,
      status: 'pending',
      owner: null,
      leaseUntil: null,
      dueAt,
      claims: 0,
    });
  }

  claimable(d: ModelDispatch): boolean {
    if (d.status === 'processing') return d.leaseUntil! <= this.now;
    return (d.status === 'pending' || d.status === 'error') && d.dueAt <= this.now;
  }

  eligible(priority: number | undefined): ModelDispatch[] {
    return [...this.dispatches.values()].filter(
      (d) => this.claimable(d) && (priority === undefined || d.priority === priority),
    );
  }

  /** Held by `owner` under a lease that has not expired: a write by `owner` must succeed. */
  heldBy(owner: string): ModelDispatch[] {
    return [...this.dispatches.values()].filter(
      (d) => d.status === 'processing' && d.owner === owner && d.leaseUntil! > this.now,
    );
  }

  /** Certainly not held by `owner` (an expired lease not yet reclaimed is left out: either answer is fine). */
  notHeldBy(owner: string): ModelDispatch[] {
    return [...this.dispatches.values()].filter((d) => d.status !== 'processing' || d.owner !== owner);
  }

  lease(id: string, owner: string, leaseMs: number): void {
    const d = this.dispatches.get(id)!;
    Object.assign(d, { status: 'processing', owner, leaseUntil: this.now + leaseMs, claims: d.claims + 1 });
  }

  finish(id: string, status: 'sent' | 'error' | 'failed', retryAt: number): void {
    const d = this.dispatches.get(id)!;
    Object.assign(d, { status, owner: null, leaseUntil: null, dueAt: retryAt });
  }

  counts(): DispatchCounts {
    const counts: DispatchCounts = { pending: 0, processing: 0, sent: 0, error: 0, failed: 0 };
    for (const d of this.dispatches.values()) counts[d.status]++;
    return counts;
  }
}

/** `a` must be claimed before `b`: higher priority, or same priority and strictly older. */
export function ranksBefore(a: ModelDispatch, b: ModelDispatch): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.createdAt < b.createdAt);
}
