import { SmsDeliveryError } from '@sitemsg/sms-kit';

/**
 * A DeliveryError that also says whether Twilio refused the configuration (401/403, a wrong
 * baseUrl): such an error is retryable — the dispatches wait for the fix — fails the rest of the
 * batch without a request each, and turns the health check unhealthy (`configuration`).
 */
export class TwilioDeliveryError extends SmsDeliveryError {}
