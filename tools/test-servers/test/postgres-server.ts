// Vitest global setup: the package's own postgres helper, from source.
export { setup } from '../src/postgres.js';
