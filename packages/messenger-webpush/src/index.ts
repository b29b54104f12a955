export {
  DEFAULT_PUSH_SERVICE_HOSTS,
  hostAllowed,
  type ParsedSubscription,
  type PushServiceHosts,
  type PushSubscriptionJSON,
  parseSubscription,
} from './address.js';
export { sitemsgDriver } from './driver.js';
export { WebPushDeliveryError, type WebPushDeliveryErrorOptions } from './errors.js';
export {
  DEFAULT_TTL_SECONDS,
  type WebPushMessengerOptions,
  type WebPushUrgency,
} from './options.js';
export {
  type DeliveryHeaders,
  deliveryHeaders,
  MAX_PAYLOAD_BYTES,
  notificationFor,
  topicFor,
  type WebPushNotification,
} from './payload.js';
export { checkVapidKeys, generateVapidKeys, type VapidKeys } from './vapid.js';
export { WebPushMessenger, type WebPushSentReceipt } from './webpush-messenger.js';
export {
  outcomeRow,
  WEBPUSH_OUTCOMES,
  type WebPushOutcomeRow,
  type WebPushVerdict,
} from './webpush-outcome.js';
