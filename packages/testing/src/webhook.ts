export type { SentDispatch, WebhookHarness, WebhookRecorder } from './webhook/harness.js';
export { webhookConformance } from './webhook/suite.js';
