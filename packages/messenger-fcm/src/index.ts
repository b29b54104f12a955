export { isRegistrationToken, tokensFromField } from './address.js';
export { sitemsgDriver } from './driver.js';
export { FcmDeliveryError, type FcmDeliveryErrorOptions } from './errors.js';
export { FCM_HOST } from './fcm-exchange.js';
export {
  buildFcmMessage,
  checkPush,
  isDataMessage,
  MAX_PAYLOAD_BYTES,
  MAX_TTL_SECONDS,
  payloadBytes,
} from './fcm-message.js';
export { FcmMessenger, type FcmSentReceipt, HEALTH_CHECK_TOPIC } from './fcm-messenger.js';
export {
  FCM_OUTCOMES,
  type FcmErrorBody,
  type FcmOutcomeRow,
  type FcmVerdict,
  outcomeRow,
  parseErrorBody,
} from './fcm-outcome.js';
export { DEFAULT_TOKENS_FIELD, type FcmMessengerOptions } from './options.js';
export { FCM_SCOPE, OAuthTokenError } from './service-account-credential.js';
