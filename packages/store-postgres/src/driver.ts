import { ConfigurationError, type StoreDriver } from '@sitemsg/core/plugin';
import { STORE_FLAGS } from './options.js';
import { PostgresStore } from './postgres-store.js';

const KNOWN = new Set<string>(['connectionString', 'schema', 'tablePrefix', ...STORE_FLAGS]);

/** `driver: 'postgres'` in a sitemsg configuration file. */
export const sitemsgDriver: StoreDriver = {
  kind: 'store',
  name: 'postgres',
  create(options) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new ConfigurationError(
          `[sitemsg] [postgres] Unknown store option "${key}": use ${[...KNOWN].join(', ')}.`,
        );
      }
    }
    const { connectionString, schema, tablePrefix } = options;
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
        // Checked by the store itself: a flag that is not a boolean is a ConfigurationError there.
        ...Object.fromEntries(
          STORE_FLAGS.filter((flag) => options[flag] !== undefined).map((f) => [f, options[f]]),
        ),
      },
    );
  },
};
