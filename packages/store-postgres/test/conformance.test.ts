import { storeConformance } from '@sitemsg/testing/store';
import { PostgresStore } from '../src/index.js';
import { dropSchema, pgUrl } from './support/schema.js';

// Each store gets its own pool, as separate worker processes would; a namespace is a schema.
storeConformance('PostgresStore', {
  async create(namespace) {
    return new PostgresStore({ connectionString: pgUrl() }, { schema: namespace });
  },
  destroy: (namespace) => dropSchema(pgUrl(), namespace),
});
