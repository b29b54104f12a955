export type { StoreHarness } from './store/harness.js';
export { storeConformance } from './store/suite.js';
