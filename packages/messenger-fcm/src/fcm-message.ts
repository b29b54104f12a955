/**
 * A push payload (core's `PushPayload`, what a message type's `compile` says once for every push
 * channel) as an FCM v1 message for one registration token, with each platform's block filled in
 * from it, and the checks FCM would otherwise answer with INVALID_ARGUMENT. The firebase-admin
 * `TokenMessage` built here is what `messaging.send()` validates and puts on the wire (snake_case,
 * TTLs as "3600s").
 *
 * | payload | notification / data | android | apns | webpush |
 * | --- | --- | --- | --- | --- |
 * | `title`, `body` | `notification` (a data message when both are empty) | — | `apns-push-type: alert` (`background` + `content-available` for a data message) | — |
 * | `data` | `data` | — | — | — |
 * | `priority` | — | `priority` | `apns-priority` 10 / 5 (always 5 for a data message) | `Urgency` |
 * | `ttlSeconds` | — | `ttl` | `apns-expiration` (now + TTL; 0 stays 0) | `TTL` |
 * | `collapseKey` | — | `collapse_key` | `apns-collapse-id` | `Topic` (when it is a valid topic) |
 * | `sound` | — | `notification.sound` | `aps.sound` | — |
 * | `badge` | — | — | `aps.badge` | — |
 * | `threadId`, `mutableContent` | — | — | `aps.thread-id`, `aps.mutable-content` (notifications only) | — |
 * | `url` (https) | — | — | — | `fcm_options.link` |
 */
import type { PushPayload } from '@sitemsg/core/plugin';
import type { AndroidConfig, ApnsConfig, TokenMessage, WebpushConfig } from 'firebase-admin/messaging';

/** FCM's limit for a message to a token: the data's and the notification's keys and values, in bytes. */
export const MAX_PAYLOAD_BYTES = 4096;
/** FCM's (and APNs') longest time to live: 4 weeks. */
export const MAX_TTL_SECONDS = 2_419_200;
/** APNs refuses an `apns-collapse-id` over 64 bytes. */
const MAX_COLLAPSE_ID_BYTES = 64;
/** Data keys FCM keeps for itself: `from`, `message_type`, and anything starting with `google` or `gcm`. */
const RESERVED_KEY = /^(from|message_type|google.*|gcm.*)$/i;
/** A Web Push `Topic`: up to 32 characters of the URL-safe base64 alphabet (RFC 8030). */
const WEB_PUSH_TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Whether the payload is a data message: no title and an empty body (the app handles it silently). */
export function isDataMessage(push: PushPayload): boolean {
  return (push.title === undefined || push.title === '') && push.body.trim() === '';
}

/** The payload's size as FCM counts it against MAX_PAYLOAD_BYTES. */
export function payloadBytes(push: PushPayload): number {
  let size = 0;
  for (const [key, value] of Object.entries(push.data ?? {})) size += bytes(key) + bytes(value);
  if (!isDataMessage(push)) {
    if (push.title) size += bytes('title') + bytes(push.title);
    size += bytes('body') + bytes(push.body);
  }
  return size;
}

/** Why FCM cannot carry this payload, or null when it can. */
export function checkPush(push: PushPayload): string | null {
  if (isDataMessage(push) && Object.keys(push.data ?? {}).length === 0) {
    return 'the push has no title, body or data to send';
  }
  for (const [key, value] of Object.entries(push.data ?? {})) {
    if (typeof value !== 'string') return `push data "${key}" must be a string (FCM data values are strings)`;
    if (RESERVED_KEY.test(key)) {
      return `push data key "${key}" is reserved by FCM (from, message_type, google…, gcm…); rename it`;
    }
  }
  const size = payloadBytes(push);
  if (size > MAX_PAYLOAD_BYTES) {
    return `the push payload is ${size} bytes and FCM takes at most ${MAX_PAYLOAD_BYTES} (title, body and data keys and values); shorten it`;
  }
  const { ttlSeconds, collapseKey, badge } = push;
  if (
    ttlSeconds !== undefined &&
    (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS)
  ) {
    return `ttlSeconds must be a whole number of seconds from 0 to ${MAX_TTL_SECONDS} (4 weeks)`;
  }
  if (collapseKey !== undefined && (collapseKey === '' || bytes(collapseKey) > MAX_COLLAPSE_ID_BYTES)) {
    return `collapseKey must be 1 to ${MAX_COLLAPSE_ID_BYTES} bytes (APNs' apns-collapse-id limit)`;
  }
  if (badge !== undefined && (!Number.isInteger(badge) || badge < 0))
    return 'badge must be a whole number, 0 or more';
  return null;
}

/** The FCM message for one token. `nowMs` dates the APNs expiration. */
export function buildFcmMessage(token: string, push: PushPayload, nowMs: number): TokenMessage {
  const dataOnly = isDataMessage(push);
  const android = androidConfig(push, dataOnly);
  const apns = apnsConfig(push, dataOnly, nowMs);
  const webpush = webpushConfig(push);
  return {
    token,
    ...(!dataOnly && {
      notification: { ...(push.title ? { title: push.title } : {}), body: push.body },
    }),
    ...(push.data !== undefined && Object.keys(push.data).length > 0 && { data: { ...push.data } }),
    ...(android && { android }),
    apns,
    ...(webpush && { webpush }),
  };
}

function androidConfig(push: PushPayload, dataOnly: boolean): AndroidConfig | undefined {
  const config: AndroidConfig = {
    ...(push.priority !== undefined && { priority: push.priority }),
    ...(push.ttlSeconds !== undefined && { ttl: push.ttlSeconds * 1000 }),
    ...(push.collapseKey !== undefined && { collapseKey: push.collapseKey }),
    ...(!dataOnly && push.sound !== undefined && { notification: { sound: push.sound } }),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

function apnsConfig(push: PushPayload, dataOnly: boolean, nowMs: number): ApnsConfig {
  const headers: Record<string, string> = { 'apns-push-type': dataOnly ? 'background' : 'alert' };
  // Apple requires priority 5 for background (content-available) pushes.
  if (dataOnly) headers['apns-priority'] = '5';
  else if (push.priority !== undefined) headers['apns-priority'] = push.priority === 'high' ? '10' : '5';
  if (push.ttlSeconds !== undefined) {
    headers['apns-expiration'] =
      push.ttlSeconds === 0 ? '0' : String(Math.floor(nowMs / 1000) + push.ttlSeconds);
  }
  if (push.collapseKey !== undefined) headers['apns-collapse-id'] = push.collapseKey;
  const aps = {
    ...(push.badge !== undefined && { badge: push.badge }),
    ...(!dataOnly && push.sound !== undefined && { sound: push.sound }),
    ...(!dataOnly && push.threadId !== undefined && { threadId: push.threadId }),
    ...(!dataOnly && push.mutableContent === true && { mutableContent: true }),
    ...(dataOnly && { contentAvailable: true }),
  };
  return { headers, ...(Object.keys(aps).length > 0 && { payload: { aps } }) };
}

function webpushConfig(push: PushPayload): WebpushConfig | undefined {
  const headers: Record<string, string> = {
    ...(push.ttlSeconds !== undefined && { TTL: String(push.ttlSeconds) }),
    ...(push.priority !== undefined && { Urgency: push.priority }),
    ...(push.collapseKey !== undefined &&
      WEB_PUSH_TOPIC.test(push.collapseKey) && { Topic: push.collapseKey }),
  };
  const link = push.url?.startsWith('https://') ? push.url : undefined;
  if (Object.keys(headers).length === 0 && link === undefined) return undefined;
  return {
    ...(Object.keys(headers).length > 0 && { headers }),
    ...(link !== undefined && { fcmOptions: { link } }),
  };
}
