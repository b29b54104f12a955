export { sitemsgDriver } from './driver.js';
export { signatureHeader } from './signature.js';
export { WebhookMessenger, type WebhookMessengerOptions } from './webhook-messenger.js';
