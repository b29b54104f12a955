import { ConfigurationError, type StoreDriver } from '@sitemsg/core';
import { PostgresStore } from './postgres-store.js';

const KNOWN = new Set(['connectionString', 'schema', 'tablePrefix', 'listen', 'preparedStatements']);

/** `driver: 'postgres'` in a sitemsg configuration file. */
export const sitemsgDriver: StoreDriver = {
  kind: 'store',
  name: 'postgres',
  create(options) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new ConfigurationError(
          `[sitemsg] [postgres] Unknown store option "${key}": use connectionString, schema, tablePrefix, listen or preparedStatements.`,
        );
      }
    }
    const { connectionString, schema, tablePrefix, listen, preparedStatements } = options;
    if (typeof connectionString !== 'string' || connectionString.length === 0) {
      throw new ConfigurationError(
        '[sitemsg] [postgres] connectionString is required (e.g. postgres://user@host:5432/db).',
      );
    }
    return new PostgresStore(
      { connectionString },
      {
        ...(schema !== undefined && { schema: schema as string }),
        ...(tablePrefix !== undefined && { tablePrefix: tablePrefix as string }),
        ...(listen !== undefined && { listen: listen as boolean }),
        ...(preparedStatements !== undefined && { preparedStatements: preparedStatements as boolean }),
      },
    );
  },
};
