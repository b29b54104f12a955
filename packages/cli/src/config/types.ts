import type { Sitemsg, SitemsgOptions } from '@sitemsg/core';

/** One store or messenger in a config file: a driver name plus the driver's own options. */
export interface DriverEntry {
  /** `memory`, `postgres`, `mongo` for a store; `smtp`, `sendgrid`, `twilio`, `vonage`, `apns`, `fcm`, `webpush`, `inbox` for a messenger; or a driver package's name. */
  readonly driver: string;
  /**
   * The package that exports the driver (`sitemsgDriver`), or a path relative to the config file.
   * Default: the first-party `@sitemsg/*` package of `driver`.
   */
  readonly package?: string;
  /** Every other key goes to the driver's `create()`, which rejects the ones it does not know. */
  readonly [option: string]: unknown;
}

export interface MessengerEntry extends DriverEntry {
  /** The channel's primary messenger (what `smtp` and `recipients(SmtpMessenger, ...)` mean). Default: the first of its driver. */
  readonly primary?: boolean;
}

/**
 * A config file's data form: createSitemsg()'s options, with the store and the messengers given
 * by driver name. The key of each messenger is its alias.
 */
export interface SitemsgConfig extends Omit<SitemsgOptions, 'store' | 'messengers'> {
  readonly store?: DriverEntry;
  readonly messengers?: Readonly<Record<string, MessengerEntry>>;
}

/** What `sitemsg.config.*` may default-export: a data config, a ready engine, or a function returning one. */
export type SitemsgConfigExport =
  | SitemsgConfig
  | Sitemsg
  | (() => SitemsgConfig | Sitemsg | Promise<SitemsgConfig | Sitemsg>);

/** Types a config file: `export default defineConfig({ ... })`. */
export function defineConfig<T extends SitemsgConfigExport>(config: T): T {
  return config;
}
