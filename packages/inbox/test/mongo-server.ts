// Vitest global setup: one MongoDB wire-protocol test server, reached with inject('mongoUrl').
export { setup } from '@sitemsg-internal/test-servers/mongo';
