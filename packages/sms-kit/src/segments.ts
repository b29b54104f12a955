/**
 * SMS length, as carriers bill it: GSM-7 text fits 160 characters in one segment and 153 per
 * segment once split; text that needs UCS-2 (most emoji, Cyrillic, CJK...) fits 70, then 67.
 * Counted with Twilio's own calculator (sms-segments-calculator), which knows the GSM-7 extension
 * table (each of `^{}[]~|€\` takes two septets) and surrogate pairs.
 */
import { SegmentedMessage } from 'sms-segments-calculator';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** What one SMS text costs. */
export interface SegmentCount {
  /** Billed segments (1 for an empty text, as the provider counts it). */
  readonly segments: number;
  readonly encoding: SmsEncoding;
  /** Characters as the provider counts them (a GSM-7 extension character counts once). */
  readonly characters: number;
}

// GSM 03.38's basic table (one septet each) and its extension table (two septets each).
const GSM_BASIC = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/;
const GSM_EXTENDED =
  /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\f^{}\\[~\]|€]*$/;

/** Segments and encoding of an SMS text. */
export function countSegments(text: string): SegmentCount {
  // Fast path for the common case, plain GSM-7 text: the calculator splits graphemes, which costs.
  if (GSM_BASIC.test(text)) {
    const characters = text.length;
    return { segments: characters <= 160 ? 1 : Math.ceil(characters / 153), encoding: 'GSM-7', characters };
  }
  const message = new SegmentedMessage(text, 'auto');
  return {
    segments: Math.max(1, message.segmentsCount),
    encoding: message.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    characters: message.numberOfCharacters,
  };
}

/** The encoding a text needs, without counting segments. */
export function encodingOf(text: string): SmsEncoding {
  return GSM_EXTENDED.test(text) ? 'GSM-7' : 'UCS-2';
}
