/**
 * VAPID (RFC 8292) keys: checked once at start-up — the subject a push service can reach, a
 * public key that is a P-256 point, a private key of 32 bytes, and the two belonging together (a
 * public key from another pair would make every browser subscribe against a key the tokens are
 * not signed with, and every push then fails with 401/403). Messages never quote the private key.
 */
import { createECDH } from 'node:crypto';
import webpush from 'web-push';

/** A VAPID key pair, base64url: the public key is the page's `applicationServerKey`. */
export interface VapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** A new VAPID key pair (web-push's `generateVAPIDKeys`): generate once, keep the private key secret. */
export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

/** What is wrong with a VAPID configuration, or null when it is usable. */
export function checkVapidKeys(subject: unknown, publicKey: unknown, privateKey: unknown): string | null {
  if (typeof subject !== 'string' || subject === '') {
    return 'vapidSubject is required: a mailto: address or an https: URL where push services can reach you.';
  }
  let url: URL | null = null;
  try {
    url = new URL(subject);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'mailto:' && url.protocol !== 'https:')) {
    return `vapidSubject must be a mailto: address or an https: URL (got "${subject.slice(0, 80)}").`;
  }
  if (typeof publicKey !== 'string' || !/^[A-Za-z0-9_-]+$/.test(publicKey)) {
    return 'vapidPublicKey is required: the public key of your VAPID pair, base64url (generateVapidKeys() or `npx web-push generate-vapid-keys`).';
  }
  const pub = Buffer.from(publicKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 0x04) {
    return `vapidPublicKey must decode to a 65-byte uncompressed P-256 point (it decodes to ${pub.length} bytes).`;
  }
  if (typeof privateKey !== 'string' || !/^[A-Za-z0-9_-]+$/.test(privateKey)) {
    return 'vapidPrivateKey is required: the private key of your VAPID pair, base64url (kept out of the repository; set it from the environment).';
  }
  const priv = Buffer.from(privateKey, 'base64url');
  if (priv.length !== 32) return 'vapidPrivateKey must decode to 32 bytes (a P-256 private key).';
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    derived = ecdh.getPublicKey();
  } catch {
    return 'vapidPrivateKey is not a valid P-256 private key.';
  }
  if (!derived.equals(pub)) {
    return 'vapidPublicKey does not belong to vapidPrivateKey: give both keys of one pair (the public key is the one the pages subscribe with).';
  }
  return null;
}
