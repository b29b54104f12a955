// Per-channel payloads: what an SMS, a push notification and a chat message look like. A message
// type says it once in `compile` (`{ text, push: { title, badge } }`); each channel reads its own
// part through these helpers, falling back to the plain text (and the subject as a title) when
// the type did not say, so every type reaches every channel.
import type { ChatPayload, CompiledMessage, PushPayload, SmsPayload } from './compiled.js';

/** The SMS a compiled message makes: its `sms` part, else its text. */
export function smsPayload(compiled: CompiledMessage): SmsPayload {
  return compiled.sms ?? { text: compiled.text };
}

/** The push notification a compiled message makes: its `push` part, else title/subject and text. */
export function pushPayload(compiled: CompiledMessage): PushPayload {
  if (compiled.push) return compiled.push;
  const title = compiled.title ?? compiled.subject;
  return {
    body: compiled.text,
    ...(title !== undefined && { title }),
    ...(compiled.data !== undefined && { data: compiled.data }),
  };
}

/** The chat message a compiled message makes: its `chat` part, else its text as plain text. */
export function chatPayload(compiled: CompiledMessage): ChatPayload {
  return compiled.chat ?? { text: compiled.text, format: 'plain' };
}
