/**
 * `@sitemsg/messenger-twilio/testing`: a local Twilio Messages API (`FakeTwilio`, a real HTTP
 * server on 127.0.0.1) for tests and development: point `TwilioMessenger`'s `baseUrl` at its
 * `url`, then read what went over the wire from `accepted` and `requests`.
 */
export {
  type AcceptedMessage,
  FakeTwilio,
  type RecordedRequest,
  twilioError,
} from './testing/fake-twilio.js';
