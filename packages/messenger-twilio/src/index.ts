export { type PhoneAddress, parsePhoneAddress, WHATSAPP_PREFIX } from './address.js';
export { sitemsgDriver } from './driver.js';
export { TwilioDeliveryError } from './errors.js';
export { DEFAULT_BASE_URL, type TwilioMessengerOptions } from './options.js';
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
