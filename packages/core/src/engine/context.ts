import type { EventBus } from '../events.js';
import type { Registry } from '../registry.js';
import type { Store } from '../store.js';
import type { ResolvedOptions } from './options.js';

/** What the engine's parts share: one store, one registry, one event bus, the resolved options. */
export interface EngineContext {
  readonly store: Store;
  readonly registry: Registry;
  readonly events: EventBus;
  readonly options: ResolvedOptions;
}

export function nowDate(ctx: EngineContext): Date {
  return new Date(ctx.options.clock.now());
}
