/**
 * Phone addresses: E.164 numbers parsed and normalised with libphonenumber-js (full metadata, so
 * a number that cannot exist is refused at scheduling, not by Twilio's 21211), and WhatsApp
 * addresses written `whatsapp:+<E.164>`, as Twilio's Messages API takes them.
 */
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The prefix Twilio's Messages API uses for a WhatsApp address (`whatsapp:+14155552671`). */
export const WHATSAPP_PREFIX = 'whatsapp:';

/** A recipient as Twilio takes it. */
export interface PhoneAddress {
  readonly channel: 'sms' | 'whatsapp';
  /** The number in E.164 (`+14155552671`). */
  readonly e164: string;
  /** What is stored on the dispatch and sent as `To`: the E.164 number, with `whatsapp:` for WhatsApp. */
  readonly address: string;
}

/**
 * Parses a phone number (E.164, or a national format read in `defaultRegion`) with an optional
 * `whatsapp:` prefix. `undefined` when it is not a valid number anywhere.
 */
export function parsePhoneAddress(raw: string, defaultRegion?: CountryCode): PhoneAddress | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const trimmed = raw.trim();
  const whatsapp = trimmed.toLowerCase().startsWith(WHATSAPP_PREFIX);
  const number = whatsapp ? trimmed.slice(WHATSAPP_PREFIX.length).trim() : trimmed;
  // Letters are not part of a number (libphonenumber would read vanity numbers like 1-800-FLOWERS).
  if (!/^[+\d\s().-]+$/.test(number)) return undefined;
  const parsed = parsePhoneNumberFromString(number, defaultRegion);
  if (!parsed?.isValid()) return undefined;
  const e164 = parsed.number;
  return {
    channel: whatsapp ? 'whatsapp' : 'sms',
    e164,
    address: whatsapp ? `${WHATSAPP_PREFIX}${e164}` : e164,
  };
}

/** Whether a region option names a country libphonenumber knows (`GB`, `US`, `DE`). */
export function isRegion(value: unknown): value is CountryCode {
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}
