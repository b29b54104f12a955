export { type EmailAddress, isValidEmail } from './address.js';
export { sitemsgDriver } from './driver.js';
export { SendgridDeliveryError, type SendgridDeliveryErrorOptions } from './errors.js';
export { DEFAULT_BASE_URL, type SendgridMessengerOptions } from './options.js';
export { SendgridMessenger } from './sendgrid-messenger.js';
export { MAX_PERSONALIZATIONS } from './sendgrid-payload.js';
export {
  createSendgridWebhookHandler,
  DEFAULT_REMEMBERED_EVENT_IDS,
  DEFAULT_TOLERANCE_SECONDS,
  type SendgridDeliveredEvent,
  type SendgridWebhookOptions,
  type SendgridWebhookSummary,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySendgridSignature,
} from './sendgrid-webhook.js';
