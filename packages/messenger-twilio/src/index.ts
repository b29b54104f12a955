export { isRegion, type PhoneAddress, parsePhoneAddress, WHATSAPP_PREFIX } from './address.js';
export { sitemsgDriver } from './driver.js';
export { TwilioDeliveryError, type TwilioDeliveryErrorOptions } from './errors.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_SEGMENTS,
  type TwilioMessengerOptions,
} from './options.js';
export { countSegments, type SegmentCount, type SmsEncoding } from './segments.js';
export { MAX_BODY_CHARACTERS, TwilioMessenger, type TwilioSentReceipt } from './twilio-messenger.js';
export {
  outcomeRow,
  TWILIO_OUTCOMES,
  type TwilioOutcomeRow,
  type TwilioVerdict,
} from './twilio-outcome.js';
export {
  createTwilioWebhookHandler,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  SIGNATURE_HEADER,
  TWILIO_CALLBACK_ERRORS,
  TWILIO_STATUS_FEEDBACK,
  type TwilioInboundMessage,
  type TwilioWebhookOptions,
} from './twilio-webhook.js';
