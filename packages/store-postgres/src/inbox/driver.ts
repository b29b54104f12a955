import { ConfigurationError, type DriverContext, type MessengerDriver } from '@sitemsg/core/plugin';
import { inboxDriver } from '@sitemsg/inbox';
import { PostgresInboxStore } from './postgres-inbox-store.js';

/**
 * `driver: 'inbox', package: '@sitemsg/store-postgres/inbox'` in a sitemsg configuration file:
 * the inbox messenger on PostgreSQL. Options: `connectionString` (required), `schema`,
 * `tablePrefix`, and the inbox's own (`maxPageSize`, `retentionDays`, `title`).
 */
export const sitemsgDriver: MessengerDriver = inboxDriver({
  options: ['connectionString', 'schema', 'tablePrefix'],
  create(options, context) {
    const { connectionString, schema, tablePrefix } = options;
    return new PostgresInboxStore(
      { connectionString: text(connectionString, 'connectionString', context, true) },
      {
        ...(schema !== undefined && { schema: text(schema, 'schema', context) }),
        ...(tablePrefix !== undefined && { tablePrefix: text(tablePrefix, 'tablePrefix', context) }),
      },
    );
  },
});

function text(value: unknown, what: string, context: DriverContext, required = false): string {
  if (typeof value === 'string') return value;
  throw new ConfigurationError(
    `[sitemsg] [${context.name}] ${what} ${required && value === undefined ? 'is required' : 'must be a string'} for the inbox on PostgreSQL.`,
  );
}
