import { createHash } from 'node:crypto';

/**
 * Every SQL name the store and the inbox store use, built once from the validated schema and
 * prefix (quoted anyway), so that no statement is ever assembled from unchecked input.
 */
export interface Names {
  readonly schema: string;
  readonly messages: string;
  readonly dispatches: string;
  readonly errors: string;
  readonly subscriptions: string;
  readonly suppressions: string;
  readonly feedback: string;
  /** The store's applied migrations. */
  readonly migrations: string;
  /** The inbox's messages (`@sitemsg/store-postgres/inbox`). */
  readonly inboxMessages: string;
  /** The inbox's applied migrations: a migration set of its own, beside the store's. */
  readonly inboxMigrations: string;
  /** An index name (unqualified: indexes live in their table's schema). */
  index(suffix: string): string;
  /** The LISTEN/NOTIFY channel of this schema and prefix. */
  readonly channel: string;
  /** Text hashed into advisory-lock keys, unique per schema and prefix. */
  readonly lockScope: string;
}

const quote = (identifier: string): string => `"${identifier}"`;

export function buildNames(options: { readonly schema: string; readonly tablePrefix: string }): Names {
  const { schema, tablePrefix: p } = options;
  const table = (name: string): string => `${quote(schema)}.${quote(`${p}${name}`)}`;
  const scope = `${schema}.${p}`;
  // Channels are database-wide and limited to 63 bytes: a hash keeps them short and per schema.
  const digest = createHash('sha256').update(scope).digest('hex').slice(0, 16);
  return {
    schema: quote(schema),
    messages: table('messages'),
    dispatches: table('dispatches'),
    errors: table('dispatch_errors'),
    subscriptions: table('subscriptions'),
    suppressions: table('suppressions'),
    feedback: table('feedback'),
    migrations: table('migrations'),
    inboxMessages: table('inbox_messages'),
    inboxMigrations: table('inbox_migrations'),
    index: (suffix) => quote(`${p}${suffix}`),
    channel: `sitemsg_${digest}`,
    lockScope: `sitemsg:${scope}`,
  };
}
