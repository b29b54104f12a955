/**
 * Vonage's form of a number: stored in E.164 with the `+` (parsed and normalised by
 * @sitemsg/sms-kit); the SMS API takes and reports numbers without it (`447911123456`).
 */
import { parsePhoneNumber } from '@sitemsg/sms-kit';

/** Vonage's form of a number: E.164 without the `+`. */
export function vonageNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** A number as Vonage reports it (`447911123456`) back in E.164, when it is one. */
export function fromVonageNumber(msisdn: string): string | undefined {
  return /^\d{7,15}$/.test(msisdn) ? parsePhoneNumber(`+${msisdn}`) : undefined;
}
