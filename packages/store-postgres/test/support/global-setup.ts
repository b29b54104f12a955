import type { TestProject } from 'vitest/node';
import { ensurePostgres } from './pg-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** Finds (or starts) one PostgreSQL server for every test file of the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, cluster } = await ensurePostgres();
  project.provide('pgUrl', url);
  return async () => {
    await cluster?.remove();
  };
}
