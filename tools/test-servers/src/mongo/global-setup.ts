import type { TestProject } from 'vitest/node';
import { startMongoTestServer } from './server.js';

/**
 * Vitest global setup (`export { setup } from '@sitemsg-internal/test-servers/mongo'` in the file
 * named by `test.globalSetup`): one wire-protocol test server for the whole run, its URL provided
 * to tests as `inject('mongoUrl')`. Tests that inject faults start their own server instead.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMongoTestServer();
  project.provide('mongoUrl', server.url);
  return () => server.close();
}
