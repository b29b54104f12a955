// The fault tests stop and start a cluster of their own, never the shared server.
export { startThrowawayPostgres as startThrowawayCluster } from '@sitemsg-internal/test-servers/postgres';
