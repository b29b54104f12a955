/**
 * A compiled message as an APNs notification: the message type's push part (`pushPayload`) read
 * into node-apn's `Notification` — `aps.alert` (title, body), badge, sound, thread-id,
 * mutable-content, the data as custom keys — and the headers: `apns-topic`, `apns-push-type`,
 * `apns-priority`, `apns-expiration`, `apns-collapse-id` and `apns-id`. Checked against what APNs
 * refuses (4 KB payload, 5 KB for VoIP; a collapse id over 64 bytes) before anything is sent.
 */
import { hash } from 'node:crypto';
import { Notification } from '@parse/node-apn';
import type { PushPayload } from '@sitemsg/core/plugin';
import type { ApnsPushType } from './options.js';

/** Largest payload APNs takes, in bytes: 4 KB, 5 KB for VoIP. */
export const MAX_PAYLOAD_BYTES: Readonly<Record<ApnsPushType, number>> = {
  alert: 4096,
  background: 4096,
  voip: 5120,
};

/** Largest `apns-collapse-id`, in bytes. */
export const MAX_COLLAPSE_ID_BYTES = 64;

/** What the notification's headers come from, besides the payload. */
export interface NotificationSettings {
  /** The bundle id. */
  readonly topic: string;
  readonly pushType: ApnsPushType;
  /** Priority of a payload that does not say. */
  readonly priority: 10 | 5 | 1;
  /** Lifetime of a payload that does not say; null: no `apns-expiration`. */
  readonly ttlSeconds: number | null;
}

/** The `apns-topic` of a push type: the bundle id, with `.voip` for VoIP pushes (PushKit). */
export function topicFor(bundleId: string, pushType: ApnsPushType): string {
  return pushType === 'voip' ? `${bundleId}.voip` : bundleId;
}

/**
 * The `apns-id` of a dispatch: a UUID derived from the topic and the dispatch id (name-based, as
 * UUID version 5), so that every attempt of one dispatch carries the same id and Apple's delivery
 * log can be searched by it.
 */
export function apnsIdFor(topic: string, dispatchId: string): string {
  // One-shot `hash` (not createHash): a few microseconds less per push, which the benchmark sees.
  const digest = hash('sha1', `sitemsg:${topic}:${dispatchId}`, 'buffer');
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Why a push part cannot be sent as it is, or null. The push part of a context reaches the
 * messenger unchecked (core passes channel parts through), so its shape is checked here too.
 */
export function payloadProblem(push: PushPayload, pushType: ApnsPushType): string | null {
  const problem = shapeProblem(push);
  if (problem !== null) return problem;
  if (
    pushType === 'alert' &&
    push.body.trim() === '' &&
    !push.title &&
    push.badge === undefined &&
    !push.sound
  ) {
    return 'the notification has nothing to show: give it a body, a title, a badge or a sound';
  }
  if (push.collapseKey !== undefined && Buffer.byteLength(push.collapseKey) > MAX_COLLAPSE_ID_BYTES) {
    return `the collapse key has ${Buffer.byteLength(push.collapseKey)} bytes and APNs takes at most ${MAX_COLLAPSE_ID_BYTES} (BadCollapseId)`;
  }
  return null;
}

/** The notification for one push part; `payloadProblem` must have passed. */
export function buildNotification(
  push: PushPayload,
  settings: NotificationSettings,
  nowMs: number,
  apnsId: string,
): Notification {
  const note = new Notification();
  note.topic = topicFor(settings.topic, settings.pushType);
  note.pushType = settings.pushType;
  note.id = apnsId;
  note.priority = priorityOf(push, settings);
  const ttl = push.ttlSeconds ?? settings.ttlSeconds;
  // 0 is APNs's own "deliver once, do not store": sent as 0, not as now.
  if (ttl !== null) note.expiry = ttl === 0 ? 0 : Math.floor(nowMs / 1000) + ttl;
  if (push.collapseKey !== undefined) note.collapseId = push.collapseKey;
  if (push.data !== undefined) note.payload = { ...push.data };
  if (settings.pushType === 'background') {
    // A background push carries no alert, sound or badge: content-available and the data alone.
    note.contentAvailable = true;
    return note;
  }
  note.alert = push.title === undefined ? { body: push.body } : { title: push.title, body: push.body };
  if (push.badge !== undefined) note.badge = push.badge;
  if (push.sound !== undefined) note.sound = push.sound;
  if (push.threadId !== undefined) note.threadId = push.threadId;
  if (push.mutableContent === true) note.mutableContent = true;
  return note;
}

/**
 * An upper bound of the payload's size in bytes, without building it: every UTF-16 unit of a
 * string takes at most 6 bytes in JSON (`\uXXXX`; 3 bytes unescaped in UTF-8), and the keys and
 * punctuation around them take less than `FRAME_BYTES`. Most pushes are far under the limit by
 * this bound alone, so only those near it are built and measured.
 */
export function payloadSizeBound(push: PushPayload): number {
  let units =
    (push.title?.length ?? 0) + push.body.length + (push.sound?.length ?? 0) + (push.threadId?.length ?? 0);
  let entries = 0;
  for (const key in push.data) {
    units += key.length + (push.data[key]?.length ?? 0);
    entries++;
  }
  return FRAME_BYTES + 6 * units + ENTRY_BYTES * entries;
}

/** More than the keys and punctuation of `aps` take (`{"aps":{"alert":{"title":"","body":""},"badge":…}}`, about 150). */
const FRAME_BYTES = 256;
/** More than the quotes, colon and comma around one data entry take (`"":"",`). */
const ENTRY_BYTES = 8;

/** Why a built notification is too big for APNs, or null. */
export function sizeProblem(note: Notification, pushType: ApnsPushType): string | null {
  // What node-apn sends: `JSON.stringify(note)` (its toJSON builds `{ ...data, aps }`).
  const bytes = Buffer.byteLength(JSON.stringify(note));
  const limit = MAX_PAYLOAD_BYTES[pushType];
  if (bytes <= limit) return null;
  return `the APNs payload has ${bytes} bytes and APNs takes at most ${limit}${pushType === 'voip' ? ' for VoIP' : ''} (PayloadTooLarge); shorten the text or the data`;
}

/** Background pushes must use 5 (Apple refuses 10 for them); otherwise the payload's word, then the option. */
function priorityOf(push: PushPayload, settings: NotificationSettings): 10 | 5 | 1 {
  if (settings.pushType === 'background') return 5;
  if (push.priority === 'high') return 10;
  if (push.priority === 'normal') return 5;
  return settings.priority;
}

function shapeProblem(push: PushPayload): string | null {
  const p = push as unknown as Record<string, unknown>;
  if (typeof p.body !== 'string') return 'the push part needs a text body';
  if (p.title !== undefined && typeof p.title !== 'string') return 'the push title must be text';
  if (p.badge !== undefined && !(Number.isInteger(p.badge) && (p.badge as number) >= 0)) {
    return 'the push badge must be a whole number, 0 or more (0 clears it)';
  }
  if (p.sound !== undefined && (typeof p.sound !== 'string' || p.sound === '')) {
    return 'the push sound must be a sound file name, or "default"';
  }
  if (p.collapseKey !== undefined && (typeof p.collapseKey !== 'string' || p.collapseKey === '')) {
    return 'the push collapse key must be non-empty text';
  }
  if (p.threadId !== undefined && (typeof p.threadId !== 'string' || p.threadId === '')) {
    return 'the push thread id must be non-empty text';
  }
  if (p.mutableContent !== undefined && typeof p.mutableContent !== 'boolean') {
    return 'the push mutableContent must be true or false';
  }
  if (p.priority !== undefined && p.priority !== 'high' && p.priority !== 'normal') {
    return 'the push priority must be "high" or "normal"';
  }
  if (
    p.ttlSeconds !== undefined &&
    !(
      Number.isInteger(p.ttlSeconds) &&
      (p.ttlSeconds as number) >= 0 &&
      (p.ttlSeconds as number) <= 2_592_000
    )
  ) {
    return 'the push ttlSeconds must be a whole number of seconds from 0 to 2,592,000 (30 days)';
  }
  if (p.data !== undefined) {
    if (typeof p.data !== 'object' || p.data === null || Array.isArray(p.data)) {
      return 'the push data must be an object of text values';
    }
    for (const [key, value] of Object.entries(p.data)) {
      if (key === 'aps') return 'the push data cannot have a key "aps": APNs reserves it';
      if (typeof value !== 'string') return `the push data value "${key}" must be text`;
    }
  }
  return null;
}
