/**
 * What a push message carries: the message type's push payload (core's `pushPayload`: its `push`
 * part, else title/subject and text) as one JSON object that the page's service worker reads with
 * `event.data.json()`, and the RFC 8030 headers that say how the push service treats it (TTL,
 * Urgency, Topic). The JSON is encrypted (aes128gcm, RFC 8291) by web-push; a push service
 * takes 4,096 bytes of encrypted body, so the JSON may have at most 3,993.
 */
import { createHash } from 'node:crypto';
import type { CompiledMessage, PushPayload } from '@sitemsg/core/plugin';
import { pushPayload } from '@sitemsg/core/plugin';
import type { WebPushUrgency } from './options.js';

/**
 * The JSON a service worker receives. Field names are the Notification API's where one exists
 * (`title`, `body`, `tag`, `data`); `url` is what a click opens; `badgeCount` is a number for
 * `navigator.setAppBadge` (the Notification `badge` option is an image URL).
 */
export interface WebPushNotification {
  readonly title?: string;
  readonly body: string;
  readonly data?: Readonly<Record<string, string>>;
  /** Opened when the notification is clicked. */
  readonly url?: string;
  /** The Notification `tag`: a later notification with the same tag replaces it (the payload's collapseKey). */
  readonly tag?: string;
  readonly badgeCount?: number;
  readonly sound?: string;
  /** The sitemsg dispatch, so the page can report it read. */
  readonly dispatchId: string;
}

/**
 * Largest JSON payload: 4,096 bytes (the record size every push service takes, RFC 8291 §4)
 * less the aes128gcm header (86: salt, record size, key id length, the sender's 65-byte key), the
 * padding delimiter (1) and the authentication tag (16).
 */
export const MAX_PAYLOAD_BYTES = 3993;

/** Stands for a dispatch id when a payload's size is checked before dispatches exist (a UUID's length). */
const DISPATCH_ID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** The notification for one dispatch. */
export function notificationFor(compiled: CompiledMessage, dispatchId: string): WebPushNotification {
  const push = pushPayload(compiled);
  return {
    ...(push.title !== undefined && { title: push.title }),
    body: push.body,
    ...(push.data !== undefined && { data: push.data }),
    ...(push.url !== undefined && { url: push.url }),
    ...(push.collapseKey !== undefined && { tag: push.collapseKey }),
    ...(push.badge !== undefined && { badgeCount: push.badge }),
    ...(push.sound !== undefined && { sound: push.sound }),
    dispatchId,
  };
}

/** The bytes web-push encrypts. */
export function encodeNotification(notification: WebPushNotification): Buffer {
  return Buffer.from(JSON.stringify(notification), 'utf8');
}

/** Why a compiled message cannot go as a push message, or null. */
export function payloadProblem(compiled: CompiledMessage): string | null {
  const notification = notificationFor(compiled, DISPATCH_ID_PLACEHOLDER);
  if (notification.body.trim() === '' && (notification.title ?? '').trim() === '') {
    return 'the push notification has neither a title nor a body';
  }
  const bytes = encodeNotification(notification).length;
  if (bytes > MAX_PAYLOAD_BYTES) {
    return `the push payload is ${bytes} bytes of JSON and Web Push carries at most ${MAX_PAYLOAD_BYTES} (4,096 encrypted); shorten the text or the data`;
  }
  return null;
}

/** The RFC 8030 headers of one message: the payload's own TTL and priority, else the messenger's defaults. */
export interface DeliveryHeaders {
  readonly TTL: number;
  readonly urgency: WebPushUrgency;
  readonly topic?: string;
}

export function deliveryHeaders(
  push: PushPayload,
  defaults: { readonly ttlSeconds: number; readonly urgency: WebPushUrgency },
): DeliveryHeaders {
  const ttl = push.ttlSeconds;
  return {
    TTL: ttl !== undefined && Number.isInteger(ttl) && ttl >= 0 ? ttl : defaults.ttlSeconds,
    urgency: push.priority === 'high' ? 'high' : push.priority === 'normal' ? 'normal' : defaults.urgency,
    ...(push.collapseKey !== undefined && push.collapseKey !== '' && { topic: topicFor(push.collapseKey) }),
  };
}

/**
 * The Topic header for a collapse key. RFC 8030 allows at most 32 base64url characters: a key that
 * fits is sent as it is, any other as the first 32 characters of its SHA-256 in base64url (the same
 * key always gives the same topic, so replacement still works).
 */
export function topicFor(collapseKey: string): string {
  if (/^[A-Za-z0-9_-]{1,32}$/.test(collapseKey)) return collapseKey;
  return createHash('sha256').update(collapseKey).digest('base64url').slice(0, 32);
}
