import type { Db } from './db.js';
import type { Names } from './names.js';

/** What the store's statement modules share. */
export interface StoreContext {
  readonly db: Db;
  readonly names: Names;
  /** Wakes this process's idle workers at once (other processes hear the NOTIFY). */
  readonly wakeLocal: () => void;
  /**
   * Whether each dispatch record a claim just returned was suppressed at that moment, so that the
   * engine's suppression check right after the claim needs no second round trip.
   */
  readonly claimedSuppression: WeakMap<object, ClaimedSuppression>;
  /** Bumped by every suppression this store adds: claim-time answers from before it are not reused. */
  readonly suppressionEpoch: { value: number };
}

export interface ClaimedSuppression {
  readonly messageType: string;
  readonly suppressed: boolean;
  /** `Date.now()` of the claim: the answer is only reused while it is fresh. */
  readonly at: number;
  readonly epoch: number;
}
