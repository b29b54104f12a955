import type { Db } from './db.js';
import type { Names } from './names.js';

/** What the store's statement modules share. */
export interface StoreContext {
  readonly db: Db;
  readonly names: Names;
  /** Wakes this process's idle workers at once (other processes hear the NOTIFY). */
  readonly wakeLocal: () => void;
  /** Whether claims wait for their commit to reach disk (option `synchronousClaims`). */
  readonly synchronousClaims: boolean;
}
