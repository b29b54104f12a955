import { inboxStoreConformance } from '@sitemsg/testing/inbox';
import { PostgresInboxStore } from '../../src/inbox/index.js';
import { dropSchema, pgUrl } from '../support/schema.js';

// Each store gets its own pool, as separate application processes would; a namespace is a schema.
inboxStoreConformance('PostgresInboxStore', {
  async create(namespace) {
    return new PostgresInboxStore({ connectionString: pgUrl() }, { schema: namespace });
  },
  destroy: (namespace) => dropSchema(pgUrl(), namespace),
});
