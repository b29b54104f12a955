import { ConfigurationError, type Logger } from '@sitemsg/core/plugin';
import type { Pool, PoolConfig } from 'pg';

/** Where the store's connections come from: the application's pool (never closed by the store) or a URL. */
export type PostgresConnection =
  | { readonly pool: Pool }
  | {
      readonly connectionString: string;
      /** Extra `pg.Pool` settings (ssl, max, application_name, ...) for the pool the store creates. */
      readonly poolConfig?: Omit<PoolConfig, 'connectionString'>;
    };

export interface PostgresStoreOptions {
  /** Schema holding the tables; created by `migrate()` if missing. Default `public`. */
  readonly schema?: string;
  /** Prefix of every table and index name. Default `sitemsg_`. */
  readonly tablePrefix?: string;
  /**
   * Wake idle workers with LISTEN/NOTIFY (one extra connection per process while it waits).
   * Default true; polling remains the fallback either way.
   */
  readonly listen?: boolean;
  /**
   * Run the claim, completion and scheduling statements as named prepared statements (parsed once
   * per connection). Default true; set false behind a connection pooler that cannot keep them
   * (PgBouncer in transaction mode before 1.21, or with `max_prepared_statements = 0`).
   */
  readonly preparedStatements?: boolean;
  /**
   * Make each claim wait for its commit to reach disk. Default false: a claim commits with
   * `synchronous_commit` off for that statement alone (scheduling and completions always wait),
   * which spares the sending loop a disk flush per batch. A claim lost in a server crash (not a
   * clean shutdown) leaves its batch claimable again: it may be sent twice, with the same
   * dispatch id, as the at-least-once guarantee allows.
   */
  readonly synchronousClaims?: boolean;
  /** Where connection losses of the listener and migrations are reported. */
  readonly logger?: Logger;
}

export interface ResolvedStoreOptions {
  readonly schema: string;
  readonly tablePrefix: string;
  readonly listen: boolean;
  readonly preparedStatements: boolean;
  readonly synchronousClaims: boolean;
  readonly logger: Logger;
}

/** The keys of the first argument, the connection. */
export const CONNECTION_KEYS: ReadonlySet<string> = new Set<string>([
  'pool',
  'connectionString',
  'poolConfig',
]);
/**
 * `pg.Pool` and client settings: given in the connection itself they would be ignored, so they
 * are pointed to `poolConfig`.
 */
const POOL_CONFIG_KEYS = new Set<string>([
  'host',
  'port',
  'user',
  'password',
  'database',
  'ssl',
  'max',
  'min',
  'idleTimeoutMillis',
  'connectionTimeoutMillis',
  'allowExitOnIdle',
  'maxUses',
  'maxLifetimeSeconds',
  'application_name',
  'statement_timeout',
  'query_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'keepAlive',
  'keepAliveInitialDelayMillis',
  'options',
  'types',
  'client_encoding',
]);

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const PREFIX = /^([a-z_][a-z0-9_]*)?$/;
/** The boolean options; the configuration-file driver passes these through as they are. */
export const STORE_FLAGS = ['listen', 'preparedStatements', 'synchronousClaims'] as const;
/** The keys of the second argument, the store options. */
export const STORE_OPTION_KEYS: ReadonlySet<string> = new Set<string>([
  'schema',
  'tablePrefix',
  ...STORE_FLAGS,
  'logger',
]);

/** Validates options up front: a schema or prefix that is not a plain SQL identifier never reaches SQL. */
export function resolveStoreOptions(options: PostgresStoreOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      '[sitemsg] [postgres] The second argument (store options) must be an object, e.g. { schema: "app" }.',
    );
  }
  for (const key of Object.keys(options)) {
    if (STORE_OPTION_KEYS.has(key)) continue;
    if (CONNECTION_KEYS.has(key)) {
      throw new ConfigurationError(
        `[sitemsg] [postgres] "${key}" belongs in the first argument (the connection), not the store options: new PostgresStore({ ${key} }, { schema }).`,
      );
    }
    if (key === 'dataDir') {
      throw new ConfigurationError(
        '[sitemsg] [postgres] "dataDir" is an option of PgliteStore (@sitemsg/store-postgres/pglite), not of PostgresStore.',
      );
    }
    throw new ConfigurationError(
      `[sitemsg] [postgres] Unknown option "${key}": the store options are ${[...STORE_OPTION_KEYS].join(', ')}.`,
    );
  }
  const schema = checkSchema(options.schema);
  const tablePrefix = checkTablePrefix(options.tablePrefix);
  for (const flag of STORE_FLAGS) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new ConfigurationError(`[sitemsg] [postgres] ${flag} must be true or false.`);
    }
  }
  return {
    schema,
    tablePrefix,
    listen: options.listen ?? true,
    preparedStatements: options.preparedStatements ?? true,
    synchronousClaims: options.synchronousClaims ?? false,
    logger: options.logger ?? {},
  };
}

/** The schema, `public` by default: a plain SQL identifier, so that it never needs escaping in SQL. */
export function checkSchema(schema: unknown = 'public'): string {
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema) || schema.length > 63) {
    throw new ConfigurationError(
      `[sitemsg] [postgres] schema "${String(schema)}" is not a plain SQL identifier: use lower-case letters, digits and _ (at most 63, not starting with a digit).`,
    );
  }
  return schema;
}

/** The prefix of every table and index name, `sitemsg_` by default; short enough for every index name. */
export function checkTablePrefix(tablePrefix: unknown = 'sitemsg_'): string {
  if (typeof tablePrefix !== 'string' || !PREFIX.test(tablePrefix) || tablePrefix.length > 32) {
    throw new ConfigurationError(
      `[sitemsg] [postgres] tablePrefix "${String(tablePrefix)}" is not a plain SQL identifier: use lower-case letters, digits and _ (at most 32, not starting with a digit).`,
    );
  }
  return tablePrefix;
}

/** Which class takes the connection, and the keys of its second argument: for errors that say where a key goes. */
export interface ConnectionOwner {
  readonly className: string;
  readonly optionKeys: ReadonlySet<string>;
}

const POSTGRES_STORE: ConnectionOwner = { className: 'PostgresStore', optionKeys: STORE_OPTION_KEYS };

/** Checks the connection argument's shape (no connection is opened here). */
export function checkConnection(
  connection: PostgresConnection,
  owner: ConnectionOwner = POSTGRES_STORE,
): void {
  if (typeof connection !== 'object' || connection === null) {
    throw new ConfigurationError(
      '[sitemsg] [postgres] Pass { pool } (a pg.Pool) or { connectionString } as the first argument.',
    );
  }
  for (const key of Object.keys(connection)) checkConnectionKey(key, owner);
  const hasPool = 'pool' in connection && connection.pool !== undefined;
  const hasUrl = 'connectionString' in connection && connection.connectionString !== undefined;
  if (hasPool === hasUrl) {
    throw new ConfigurationError(
      '[sitemsg] [postgres] Pass exactly one of { pool } or { connectionString } as the first argument.',
    );
  }
  if (hasPool && typeof (connection as { pool: Pool }).pool.connect !== 'function') {
    throw new ConfigurationError('[sitemsg] [postgres] pool must be a pg.Pool.');
  }
  if (hasUrl) {
    const url = (connection as { connectionString: unknown }).connectionString;
    if (typeof url !== 'string' || url.length === 0) {
      throw new ConfigurationError('[sitemsg] [postgres] connectionString must be a non-empty string.');
    }
  }
  const poolConfig = (connection as { poolConfig?: unknown }).poolConfig;
  if (poolConfig === undefined) return;
  if (hasPool) {
    throw new ConfigurationError(
      '[sitemsg] [postgres] poolConfig configures the pool the store creates from connectionString: with { pool }, configure your own pool instead.',
    );
  }
  if (typeof poolConfig !== 'object' || poolConfig === null) {
    throw new ConfigurationError('[sitemsg] [postgres] poolConfig must be an object of pg.Pool settings.');
  }
  if ('connectionString' in poolConfig) {
    throw new ConfigurationError(
      `[sitemsg] [postgres] "connectionString" belongs in the connection itself, not in poolConfig: new ${owner.className}({ connectionString, poolConfig }).`,
    );
  }
}

/** A key of the connection argument that is not one: where it belongs instead, if anywhere. */
function checkConnectionKey(key: string, owner: ConnectionOwner): void {
  if (CONNECTION_KEYS.has(key)) return;
  if (owner.optionKeys.has(key)) {
    throw new ConfigurationError(
      `[sitemsg] [postgres] "${key}" belongs in the second argument (store options), not the connection: new ${owner.className}({ connectionString }, { ${key} }).`,
    );
  }
  if (POOL_CONFIG_KEYS.has(key)) {
    throw new ConfigurationError(
      `[sitemsg] [postgres] "${key}" is a pg.Pool setting: put it in the connection's poolConfig ({ connectionString, poolConfig: { ${key} } }), or configure your own pool and pass { pool }.`,
    );
  }
  if (key === 'dataDir') {
    throw new ConfigurationError(
      `[sitemsg] [postgres] "dataDir" is an option of PgliteStore (@sitemsg/store-postgres/pglite), not of ${owner.className}.`,
    );
  }
  throw new ConfigurationError(
    `[sitemsg] [postgres] Unknown key "${key}" in the connection (first argument): pass { pool } or { connectionString, poolConfig? }.`,
  );
}
