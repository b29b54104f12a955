import type { Store } from '@sitemsg/core/plugin';
import { onTestFinished } from 'vitest';

/** How the store suite gets stores: see the package README. */
export interface StoreHarness {
  /**
   * Returns a store (not yet initialised: the suite calls `init()`) on the namespace `namespace`
   * (a Postgres schema, a Mongo collection prefix, ...). Called once or several times per test with
   * the SAME namespace to get several stores sharing one database, like several workers would.
   * The first call for a namespace gets an empty one.
   */
  create(namespace: string): Promise<Store>;
  /** Removes everything of the namespace after the test (stores are already closed). */
  destroy?(namespace: string): Promise<void>;
}

let counter = 0;
const runId = Math.random().toString(36).slice(2, 8);

/** A fresh namespace: lower-case letters, digits and `_`, starting with a letter, at most 30 characters. */
export function newNamespace(): string {
  counter++;
  return `sm_${runId}_${process.pid % 100_000}_${counter}`;
}

/** What a session opens and closes: a sitemsg store, an inbox store. */
interface Opened {
  init?(): Promise<void>;
  close?(): Promise<void>;
}

/** Where a session gets its stores: the shape every suite's harness has. */
interface Harness<S extends Opened> {
  create(namespace: string): Promise<S>;
  destroy?(namespace: string): Promise<void>;
}

/**
 * The stores one test opened, per namespace. Every store is closed and every namespace destroyed
 * when the test finishes, whether it passed or not.
 */
export class StoreSession<S extends Opened = Store> {
  /** The namespace `open()` uses when none is given. */
  readonly namespace: string = newNamespace();
  private readonly stores: Map<string, S[]> = new Map();

  private readonly harness: Harness<S>;

  constructor(harness: Harness<S>) {
    this.harness = harness;
  }

  /** Another namespace for this test (e.g. one per property-based run); released with the session. */
  fresh(): string {
    return newNamespace();
  }

  /** A new, initialised store on `namespace`: another worker on the same data. */
  async open(namespace: string = this.namespace): Promise<S> {
    const store = await this.harness.create(namespace);
    const list = this.stores.get(namespace) ?? [];
    list.push(store);
    this.stores.set(namespace, list);
    await store.init?.();
    return store;
  }

  /** Closes the stores of one namespace and destroys it. */
  async release(namespace: string): Promise<void> {
    const stores = this.stores.get(namespace) ?? [];
    this.stores.delete(namespace);
    const closed = await Promise.allSettled(stores.map((s) => s.close?.()));
    await this.harness.destroy?.(namespace);
    const failure = closed.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async dispose(): Promise<void> {
    for (const namespace of [...this.stores.keys()]) await this.release(namespace);
  }
}

/** Starts a session for the running test; it is disposed when the test finishes. */
export function session<S extends Opened = Store>(harness: Harness<S>): StoreSession<S> {
  const s = new StoreSession<S>(harness);
  onTestFinished(() => s.dispose());
  return s;
}
