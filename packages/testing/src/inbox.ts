export type { InboxStoreHarness } from './inbox/harness.js';
export { inboxStoreConformance } from './inbox/suite.js';
