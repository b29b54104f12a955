export { type EmailAddress, isValidEmail } from './address.js';
export { sitemsgDriver } from './driver.js';
export { SendgridDeliveryError, type SendgridDeliveryErrorOptions } from './errors.js';
export { SendgridMessenger } from './messenger.js';
export { DEFAULT_BASE_URL, type SendgridMessengerOptions } from './options.js';
export { MAX_PERSONALIZATIONS } from './payload.js';
export {
  createSendgridEventHandler,
  type SendgridDeliveredEvent,
  type SendgridEventHandler,
  type SendgridEventHandlerOptions,
  type SendgridWebhookError,
  type SendgridWebhookSummary,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySendgridSignature,
  type WebhookHeaders,
} from './webhook.js';
