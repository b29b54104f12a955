/** Whether an SMS text can be sent as it is: not empty, within the provider's and the messenger's limits. */
import { countSegments } from './segments.js';

export interface SmsTextLimits {
  /** Most segments one message may take (the `maxSegments` option: what it costs). */
  readonly maxSegments: number;
  /** The provider's own limit on characters, with its name for it (Twilio: 1,600, error 21617). */
  readonly maxCharacters?: { readonly count: number; readonly provider: string };
}

/** Why the text cannot be sent, for `Messenger.checkCompiled`; null when it can. */
export function smsTextProblem(text: string, limits: SmsTextLimits): string | null {
  if (text.trim() === '') return 'the message has no text to send';
  const { maxCharacters } = limits;
  if (maxCharacters && text.length > maxCharacters.count) {
    return `the text has ${text.length} characters and ${maxCharacters.provider} takes at most ${maxCharacters.count}; shorten it`;
  }
  const count = countSegments(text);
  if (count.segments <= limits.maxSegments) return null;
  return `the text takes ${count.segments} SMS segments (${count.encoding}, ${count.characters} characters) and this messenger allows at most ${limits.maxSegments} (maxSegments); shorten it${count.encoding === 'UCS-2' ? ' or drop the characters that need UCS-2 (unicode)' : ''}`;
}
