export { parseDeviceToken } from './address.js';
export { PROBE_TOKEN } from './apns-connection.js';
export { ApnsMessenger, type ApnsSentReceipt } from './apns-messenger.js';
export { APNS_OUTCOMES, type ApnsOutcomeRow, type ApnsVerdict, outcomeRow } from './apns-outcome.js';
export {
  apnsIdFor,
  MAX_COLLAPSE_ID_BYTES,
  MAX_PAYLOAD_BYTES,
  topicFor,
} from './apns-payload.js';
export { sitemsgDriver } from './driver.js';
export { ApnsDeliveryError, type ApnsDeliveryErrorOptions } from './errors.js';
export {
  APNS_HOSTS,
  APNS_PUSH_TYPES,
  type ApnsEnvironment,
  type ApnsMessengerOptions,
  type ApnsPushType,
} from './options.js';
