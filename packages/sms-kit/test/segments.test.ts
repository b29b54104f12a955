import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { countSegments, encodingOf, smsTextProblem } from '../src/index.js';

describe('segment counting', () => {
  it('agrees with Twilio’s calculator on the fast path and counts extension and UCS-2 characters', async () => {
    for (const text of [
      '',
      'a',
      'a'.repeat(160),
      'a'.repeat(161),
      'a'.repeat(306),
      'a'.repeat(307),
      'Ça coûte 5 €',
      '{[x]}'.repeat(40),
      'ü'.repeat(200),
      'Привет',
      '😀'.repeat(35),
      '\n\r@$_',
    ]) {
      const expected = new SegmentedMessage(text, 'auto');
      const got = countSegments(text);
      expect(got.segments, JSON.stringify(text)).toBe(Math.max(1, expected.segmentsCount));
      expect(got.encoding, JSON.stringify(text)).toBe(expected.encodingName);
    }
  });
});

describe('smsTextProblem', () => {
  it('refuses an empty text, one over the provider’s characters, and one over maxSegments with count and encoding', () => {
    expect(smsTextProblem('  ', { maxSegments: 10 })).toBe('the message has no text to send');
    expect(
      smsTextProblem('x'.repeat(1601), { maxSegments: 20, maxCharacters: { count: 1600, provider: 'Acme' } }),
    ).toBe('the text has 1601 characters and Acme takes at most 1600; shorten it');
    expect(smsTextProblem('Привет'.repeat(12), { maxSegments: 1 })).toMatch(
      /^the text takes 2 SMS segments \(UCS-2, 72 characters\) and this messenger allows at most 1 \(maxSegments\); shorten it or drop/,
    );
    expect(smsTextProblem('a'.repeat(160), { maxSegments: 1 })).toBeNull();
    expect(encodingOf('a€')).toBe('GSM-7');
    expect(encodingOf('a😀')).toBe('UCS-2');
  });
});
