/**
 * Phone numbers as SMS providers take them: E.164, parsed and normalised with libphonenumber-js's
 * full metadata, so a number that cannot exist is refused at scheduling, not by the provider.
 */
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type { CountryCode };

/**
 * The number in E.164 (`+14155552671`), from E.164 or a national format read in `defaultRegion`;
 * `undefined` when it is not a valid number anywhere.
 */
export function parsePhoneNumber(raw: string, defaultRegion?: CountryCode): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const number = raw.trim();
  // Letters are not part of a number (libphonenumber would read vanity numbers like 1-800-FLOWERS).
  if (!/^[+\d\s().-]+$/.test(number)) return undefined;
  const parsed = parsePhoneNumberFromString(number, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Whether a region option names a country libphonenumber knows (`GB`, `US`, `DE`). */
export function isRegion(value: unknown): value is CountryCode {
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}
