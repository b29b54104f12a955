import { SmsDeliveryError } from '@sitemsg/sms-kit';

/**
 * A DeliveryError that also says whether Vonage refused the configuration (status 4, 8, 9, …;
 * HTTP 401/403): such an error is retryable — the dispatches wait for the fix — fails the rest of
 * the batch without a request each, and turns the health check unhealthy (`configuration`).
 */
export class VonageDeliveryError extends SmsDeliveryError {}
