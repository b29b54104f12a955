/**
 * Phone addresses: E.164 numbers parsed and normalised with libphonenumber-js (full metadata, so
 * a number that cannot exist is refused at scheduling). Stored with the `+`; Vonage's SMS API
 * takes and reports them without it (`447911123456`).
 */
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The number in E.164 (`+447911123456`), or `undefined` when it is not a valid number anywhere. */
export function parsePhoneNumber(raw: string, defaultRegion?: CountryCode): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const number = raw.trim();
  // Letters are not part of a number (libphonenumber would read vanity numbers like 1-800-FLOWERS).
  if (!/^[+\d\s().-]+$/.test(number)) return undefined;
  const parsed = parsePhoneNumberFromString(number, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Vonage's form of a number: E.164 without the `+`. */
export function vonageNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** A number as Vonage reports it (`447911123456`) back in E.164, when it is one. */
export function fromVonageNumber(msisdn: string): string | undefined {
  return /^\d{7,15}$/.test(msisdn) ? parsePhoneNumber(`+${msisdn}`) : undefined;
}

/** Whether a region option names a country libphonenumber knows (`GB`, `US`, `DE`). */
export function isRegion(value: unknown): value is CountryCode {
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}
