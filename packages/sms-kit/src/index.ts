/**
 * `@sitemsg/sms-kit`: what sitemsg's SMS messengers share — segment counting and limits (GSM-7 /
 * UCS-2), E.164 numbers with libphonenumber-js, the common options, the `SmsMessenger` base class
 * (medium `sms`, one request per recipient) and its `SmsDeliveryError`, and Retry-After reading.
 * Providers' fakes for tests build on `@sitemsg/sms-kit/testing`.
 */
export { type CountryCode, isRegion, parsePhoneNumber } from './phone-number.js';
export { redact, retryAfterMs } from './retry-after.js';
export { countSegments, encodingOf, type SegmentCount, type SmsEncoding } from './segments.js';
export { SmsDeliveryError, type SmsDeliveryErrorOptions } from './sms-delivery-error.js';
export { type SmsFailure, SmsMessenger } from './sms-messenger.js';
export {
  DEFAULT_MAX_SEGMENTS,
  isHttpUrl,
  type ResolvedSmsOptions,
  resolveSmsOptions,
  SMS_OPTION_KEYS,
  type SmsMessengerOptions,
  type SmsOptionRules,
  smsOptionFailure,
} from './sms-options.js';
export { type SmsTextLimits, smsTextProblem } from './sms-text.js';
