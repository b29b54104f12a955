/**
 * Twilio's addresses: E.164 numbers (parsed and normalised by @sitemsg/sms-kit with
 * libphonenumber-js), and WhatsApp addresses written `whatsapp:+<E.164>`, as the Messages API
 * takes them.
 */
import { type CountryCode, parsePhoneNumber } from '@sitemsg/sms-kit';

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
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  const whatsapp = trimmed.toLowerCase().startsWith(WHATSAPP_PREFIX);
  const e164 = parsePhoneNumber(whatsapp ? trimmed.slice(WHATSAPP_PREFIX.length) : trimmed, defaultRegion);
  if (e164 === undefined) return undefined;
  return {
    channel: whatsapp ? 'whatsapp' : 'sms',
    e164,
    address: whatsapp ? `${WHATSAPP_PREFIX}${e164}` : e164,
  };
}
