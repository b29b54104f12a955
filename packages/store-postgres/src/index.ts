export type { ClaimFilters, ClaimSql } from './claim.js';
export { sitemsgDriver } from './driver.js';
export { LATEST_VERSION as SCHEMA_VERSION } from './migrations.js';
export type { PostgresConnection, PostgresStoreOptions } from './options.js';
export { PostgresStore } from './postgres-store.js';
