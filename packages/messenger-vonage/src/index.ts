export { fromVonageNumber, vonageNumber } from './address.js';
export { sitemsgDriver } from './driver.js';
export { VonageDeliveryError } from './errors.js';
export { DEFAULT_REST_HOST, type VonageMessengerOptions } from './options.js';
export { VonageMessenger, type VonageSentReceipt } from './vonage-messenger.js';
export {
  VONAGE_HTTP_OUTCOMES,
  VONAGE_STATUSES,
  type VonageStatusRow,
  type VonageVerdict,
} from './vonage-outcome.js';
export {
  createVonageWebhookHandler,
  DEFAULT_TOLERANCE_SECONDS,
  VONAGE_DLR_ERRORS,
  VONAGE_DLR_STATUSES,
  type VonageInboundMessage,
  type VonageSignatureMethod,
  type VonageWebhookOptions,
} from './vonage-webhook.js';
