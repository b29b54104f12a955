import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import { InboxMessenger } from './inbox-messenger.js';
import { PostgresInboxStore } from './postgres/store.js';
import { InboxService } from './service.js';

const KNOWN = new Set(['connectionString', 'schema', 'tablePrefix', 'maxPageSize', 'retentionDays', 'title']);

/**
 * `driver: 'inbox'` in a sitemsg configuration file. Options: `connectionString` (PostgreSQL; the
 * memory store without it), `schema`, `tablePrefix`, `maxPageSize`, `retentionDays`, `title`.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'inbox',
  create(options, context) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new ConfigurationError(
          `[sitemsg] [${context.name}] unknown inbox option "${key}" (known: ${[...KNOWN].join(', ')}).`,
        );
      }
    }
    const { connectionString, schema, tablePrefix, maxPageSize, retentionDays, title } = options;
    if (connectionString === undefined && (schema !== undefined || tablePrefix !== undefined)) {
      throw new ConfigurationError(
        `[sitemsg] [${context.name}] schema and tablePrefix need a connectionString.`,
      );
    }
    const store =
      connectionString === undefined
        ? undefined
        : new PostgresInboxStore({
            connectionString: text(connectionString, 'connectionString', context.name),
            ...(schema !== undefined && { schema: text(schema, 'schema', context.name) }),
            ...(tablePrefix !== undefined && { tablePrefix: text(tablePrefix, 'tablePrefix', context.name) }),
          });
    const inbox = new InboxService({
      ...(store && { store }),
      ...(maxPageSize !== undefined && { maxPageSize: num(maxPageSize, 'maxPageSize', context.name) }),
      ...(retentionDays !== undefined && {
        retentionDays: num(retentionDays, 'retentionDays', context.name),
      }),
    });
    return new InboxMessenger({
      alias: context.name,
      primary: context.primary,
      ...(title !== undefined && { title: text(title, 'title', context.name) }),
      inbox,
      ownsInbox: true,
    });
  },
};

function text(value: unknown, what: string, name: string): string {
  if (typeof value !== 'string')
    throw new ConfigurationError(`[sitemsg] [${name}] ${what} must be a string.`);
  return value;
}

function num(value: unknown, what: string, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n))
    throw new ConfigurationError(`[sitemsg] [${name}] ${what} must be a number.`);
  return n;
}
