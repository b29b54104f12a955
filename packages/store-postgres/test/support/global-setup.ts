// Vitest global setup: finds (or starts) the PostgreSQL server the tests reach with inject('pgUrl').
export { setup } from '@sitemsg-internal/test-servers/postgres';
