import type {
  ClaimedDispatch,
  ClaimRequest,
  CompletionOutcome,
  DispatchRecord,
  JsonObject,
  NewDispatch,
  NewMessage,
  ScheduleResult,
  Store,
} from '@sitemsg/core/plugin';

/** The suite's epoch: every `now` is an explicit offset from it, so no clock is involved. */
export const T0: Date = new Date('2026-01-01T00:00:00.000Z');
export const SECOND = 1000;
export const MINUTE: number = 60 * SECOND;
export const DAY: number = 24 * 60 * MINUTE;

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export const MESSENGER = 'conformance-one';
export const OTHER_MESSENGER = 'conformance-two';
export const TYPE = 'conformance_plain';

export function newMessage(overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    type: TYPE,
    context: { text: 'hello' },
    senderId: null,
    priority: 0,
    sendAt: null,
    idempotencyKey: null,
    groupMark: null,
    dispatchesReady: true,
    ...overrides,
  };
}

/** Dispatches to `a@x.test`-style addresses on one messenger. */
export function to(addresses: readonly string[], messenger: string = MESSENGER): NewDispatch[] {
  return addresses.map((address) => ({ messenger, address, userId: null }));
}

export interface ScheduleInput {
  readonly message?: Partial<NewMessage>;
  readonly addresses?: readonly string[];
  readonly dispatches?: readonly NewDispatch[];
  readonly now?: Date;
  readonly merge?: (existing: JsonObject) => JsonObject;
}

/** Schedules one message (to `a@x.test` unless told otherwise). */
export function schedule(store: Store, input: ScheduleInput = {}): Promise<ScheduleResult> {
  return store.schedule({
    message: newMessage(input.message),
    dispatches: input.dispatches ?? to(input.addresses ?? ['a@x.test']),
    now: input.now ?? T0,
    ...(input.merge && { merge: input.merge }),
  });
}

/** Claims with defaults: owner `w1`, limit 100, a 30 s lease, at T0. */
export function claim(store: Store, request: Partial<ClaimRequest> = {}): Promise<ClaimedDispatch[]> {
  return store.claim({ owner: 'w1', limit: 100, now: T0, leaseMs: 30 * SECOND, ...request });
}

export function ids(items: readonly (ClaimedDispatch | DispatchRecord)[]): string[] {
  return items.map((item) => ('dispatch' in item ? item.dispatch.id : item.id)).sort();
}

export function addresses(items: readonly (ClaimedDispatch | DispatchRecord)[]): string[] {
  return items.map((item) => ('dispatch' in item ? item.dispatch.address : item.address)).sort();
}

export type Settled = 'sent' | 'error' | 'failed';

/**
 * Claims everything due at `now` and records each outcome `decide` gives: what a worker run does,
 * written through the Store interface only. Errors are due again one minute later.
 */
export async function settle(
  store: Store,
  now: Date,
  decide: (dispatch: DispatchRecord) => Settled,
  owner = 'w1',
): Promise<number> {
  const claimed = await claim(store, { owner, now, limit: 10_000 });
  const outcomes = claimed.map(({ dispatch }) => outcome(dispatch.id, decide(dispatch), now));
  return store.complete(owner, outcomes, now);
}

export function outcome(dispatchId: string, status: Settled, now: Date, error = 'boom'): CompletionOutcome {
  if (status === 'sent') return { dispatchId, status };
  if (status === 'failed') return { dispatchId, status, error };
  return { dispatchId, status, error, nextAttemptAt: new Date(now.getTime() + MINUTE) };
}
