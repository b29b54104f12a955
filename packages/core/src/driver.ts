import type { Messenger } from './messenger.js';
import type { Store } from './store.js';

/**
 * How a plugin package is found by name in a configuration file (`driver: 'smtp'`): it exports
 * `sitemsgDriver` (or `sitemsgDrivers`), and the CLI's config loader imports the package the
 * driver name maps to. `create` validates its options and throws a ConfigurationError naming any
 * unknown or missing one: a typo must fail at start-up.
 */
export interface MessengerDriver {
  readonly kind: 'messenger';
  /** The driver name used in configuration, e.g. `smtp`. */
  readonly name: string;
  create(options: Record<string, unknown>, context: DriverContext): Messenger;
}

export interface StoreDriver {
  readonly kind: 'store';
  readonly name: string;
  create(options: Record<string, unknown>, context: DriverContext): Store;
}

export type SitemsgDriver = MessengerDriver | StoreDriver;

export interface DriverContext {
  /** The name the configuration gave this messenger (its alias), e.g. `smtp_backup`. */
  readonly name: string;
  /** Whether this messenger is the primary one of its channel. */
  readonly primary: boolean;
}
