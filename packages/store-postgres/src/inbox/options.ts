import { ConfigurationError, type Logger } from '@sitemsg/core/plugin';
import { CONNECTION_KEYS, type ConnectionOwner, checkSchema, checkTablePrefix } from '../options.js';

export interface PostgresInboxStoreOptions {
  /** Schema of the table; created by `migrate()` when missing. Default `public`. */
  readonly schema?: string;
  /** Prefix of the table and index names (`{prefix}inbox_messages`). Default `sitemsg_`. */
  readonly tablePrefix?: string;
  /** Run `migrate()` from `init()`. Default true; false when your own tool applies `inboxMigrationSql()`. */
  readonly migrate?: boolean;
  /** Where migrations and losses of idle connections are reported. */
  readonly logger?: Logger;
}

export interface ResolvedInboxOptions {
  readonly schema: string;
  readonly tablePrefix: string;
  readonly migrate: boolean;
  readonly logger: Logger;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['schema', 'tablePrefix', 'migrate', 'logger']);

/** Which argument of `PostgresInboxStore` a key belongs to, for the connection check's errors. */
export const INBOX_STORE: ConnectionOwner = { className: 'PostgresInboxStore', optionKeys: OPTION_KEYS };

/**
 * The options of the inbox on the InboxService, not the store: named in the error, since they are
 * easily passed to the wrong object.
 */
const SERVICE_KEYS = new Set(['maxPageSize', 'retentionDays', 'clock', 'healthTimeoutMs', 'sitemsg']);

/** Validates the second argument before any connection, as `PostgresStore` does its own. */
export function resolveInboxOptions(options: PostgresInboxStoreOptions): ResolvedInboxOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      '[sitemsg] [postgres] The second argument of PostgresInboxStore (its options) must be an object, e.g. { schema: "app" }.',
    );
  }
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.has(key)) continue;
    if (CONNECTION_KEYS.has(key)) {
      throw new ConfigurationError(
        `[sitemsg] [postgres] "${key}" belongs in the first argument (the connection), not the options: new PostgresInboxStore({ ${key} }, { schema }).`,
      );
    }
    const service = SERVICE_KEYS.has(key) ? ` (it belongs to new InboxService({ ${key} }))` : '';
    throw new ConfigurationError(
      `[sitemsg] [postgres] Unknown PostgresInboxStore option "${key}"${service}: the options are ${[...OPTION_KEYS].join(', ')}.`,
    );
  }
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean') {
    throw new ConfigurationError('[sitemsg] [postgres] migrate must be true or false.');
  }
  return {
    schema: checkSchema(options.schema),
    tablePrefix: checkTablePrefix(options.tablePrefix),
    migrate: options.migrate ?? true,
    logger: options.logger ?? {},
  };
}
