export {
  type EnsuredPostgres,
  type EnsurePostgresOptions,
  ensurePostgres,
  setup,
} from './postgres/global-setup.js';
export {
  configuredPgUrl,
  DEBIAN_PG_ROOT,
  DEFAULT_PG_URL,
  findPostgresBinaries,
  pgAnswers,
  redactPgUrl,
} from './postgres/server.js';
export {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  type ThrowawayPostgresOptions,
} from './postgres/throwaway.js';

// What `setup` provides, typed for every test that calls `inject('pgUrl')`.
declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
