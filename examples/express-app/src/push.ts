/**
 * Browser notifications for the demo (Web Push through @sitemsg/messenger-webpush): the messenger,
 * a table of each user's push subscriptions (what `PushSubscription.toJSON()` gives, one row per
 * browser), the service worker that shows what arrives, the page script behind the "Enable
 * browser notifications" button, and the CSRF-protected endpoint that stores a subscription for
 * the signed-in user — never for anyone else: the user comes from the session, not the body.
 */
import type { Agent } from 'node:https';
import { generateVapidKeys, type PushServiceHosts, WebPushMessenger } from '@sitemsg/messenger-webpush';
import express, { type Request, type RequestHandler } from 'express';
import type pg from 'pg';
import type { DemoUser } from './app.js';

export interface PushConfig {
  /** `mailto:` or `https:`: who runs this server, sent to push services with every message. */
  readonly vapidSubject: string;
  readonly vapidPublicKey: string;
  readonly vapidPrivateKey: string;
  /** Push services a subscription may name. Default: the browsers' (FCM, Mozilla, Apple, WNS). */
  readonly pushServiceHosts?: PushServiceHosts;
  /** The https.Agent pushes go through (a test push service's CA). */
  readonly agent?: Agent;
}

/**
 * Push settings from the environment: `VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY` (make a pair once
 * with `npx web-push generate-vapid-keys`) and `VAPID_SUBJECT` (default `mailto:` + the site's
 * host). Without keys: in production no push channel; in development a pair for this process only
 * (browsers that subscribed stop receiving at restart), and it says so.
 */
export function pushConfigFromEnv(
  env: NodeJS.ProcessEnv,
  siteUrl: string,
  log: (line: string) => void,
): PushConfig | undefined {
  const host = new URL(siteUrl).hostname;
  const subject = env.VAPID_SUBJECT || `mailto:shop@${/[a-z]\.[a-z]/i.test(host) ? host : 'example.com'}`;
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return {
      vapidSubject: subject,
      vapidPublicKey: env.VAPID_PUBLIC_KEY,
      vapidPrivateKey: env.VAPID_PRIVATE_KEY,
    };
  }
  if (env.NODE_ENV === 'production') {
    log(
      '[sitemsg] [example] VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY are not set: browser notifications are off.',
    );
    return undefined;
  }
  log(
    '[sitemsg] [example] VAPID keys are not set: using a pair for this process only (browsers that subscribe stop receiving at restart). Set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (npx web-push generate-vapid-keys) to keep them.',
  );
  const keys = generateVapidKeys();
  return { vapidSubject: subject, vapidPublicKey: keys.publicKey, vapidPrivateKey: keys.privateKey };
}

/** The demo's push channel: the messenger and the subscriptions it reads. */
export interface PushChannel {
  readonly messenger: WebPushMessenger;
  /** The user with the subscriptions the messenger reads (its `pushSubscriptions` field). */
  withSubscriptions(user: DemoUser): Promise<DemoUser & { pushSubscriptions: string[] }>;
  /** The stored subscriptions (canonical addresses) of a user. */
  subscriptionsOf(userId: string): Promise<string[]>;
  /** The routes: service worker, page script, subscription endpoint. */
  router(options: {
    csrfProtection: RequestHandler;
    userOf: (req: Request) => DemoUser | null;
  }): express.Router;
}

/** Creates the messenger and the subscription table (in the demo's schema). */
export async function createPushChannel(
  config: PushConfig,
  db: { pool: pg.Pool; schema: string },
): Promise<PushChannel> {
  const messenger = new WebPushMessenger({
    vapidSubject: config.vapidSubject,
    vapidPublicKey: config.vapidPublicKey,
    vapidPrivateKey: config.vapidPrivateKey,
    title: 'Browser',
    ...(config.pushServiceHosts !== undefined && { pushServiceHosts: config.pushServiceHosts }),
    ...(config.agent !== undefined && { agent: config.agent }),
  });
  const table = `"${db.schema}".push_subscriptions`;
  await db.pool.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
  await db.pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       endpoint text PRIMARY KEY,
       user_id text NOT NULL,
       subscription text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  );

  const subscriptionsOf = async (userId: string): Promise<string[]> => {
    const { rows } = await db.pool.query<{ subscription: string }>(
      `SELECT subscription FROM ${table} WHERE user_id = $1 ORDER BY created_at, endpoint`,
      [userId],
    );
    return rows.map((r) => r.subscription);
  };

  return {
    messenger,
    subscriptionsOf,
    async withSubscriptions(user) {
      return { ...user, pushSubscriptions: await subscriptionsOf(String(user.id)) };
    },
    router({ csrfProtection, userOf }) {
      const router = express.Router();
      router.get('/sw.js', (_req, res) => {
        res.type('text/javascript').set('Cache-Control', 'no-cache').send(SERVICE_WORKER);
      });
      router.get('/push/client.js', (_req, res) => {
        res.type('text/javascript').send(PAGE_SCRIPT);
      });
      // JSON from the page script: { _csrf, subscription }. The CSRF check reads `_csrf` from the body.
      router.post('/push/subscriptions', express.json({ limit: '4kb' }), csrfProtection, async (req, res) => {
        const user = userOf(req);
        if (!user) return res.status(401).json({ error: 'Sign in first.' });
        const subscription = (req.body as { subscription?: unknown }).subscription;
        const resolved = messenger.resolveAddresses(JSON.stringify(subscription ?? null));
        const address = resolved.ok ? resolved.value[0] : undefined;
        if (!resolved.ok || address === undefined) {
          const why = resolved.ok ? 'no subscription' : resolved.error.message;
          return res.status(400).json({ error: why });
        }
        const { endpoint } = JSON.parse(address) as { endpoint: string };
        // One row per browser: a browser handed to another user now notifies that user.
        await db.pool.query(
          `INSERT INTO ${table} (endpoint, user_id, subscription) VALUES ($1, $2, $3)
             ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, subscription = EXCLUDED.subscription`,
          [endpoint, String(user.id), address],
        );
        res.status(201).json({ stored: true });
      });
      return router;
    },
  };
}

/**
 * The service worker: shows each push as a notification (the JSON WebPushMessenger sends:
 * title, body, tag, data, url) and opens its url when it is clicked.
 */
const SERVICE_WORKER = `// sitemsg demo shop: shows the notifications sitemsg pushes.
self.addEventListener('push', function (event) {
  var message = {};
  try { message = event.data ? event.data.json() : {}; } catch (e) { message = { body: event.data ? event.data.text() : '' }; }
  var options = { body: message.body || '', data: { url: message.url || '/', dispatchId: message.dispatchId } };
  if (message.tag) options.tag = message.tag;
  event.waitUntil(self.registration.showNotification(message.title || 'sitemsg demo shop', options));
});
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(self.clients.openWindow(url));
});
`;

/**
 * The "Enable browser notifications" button: asks for permission, registers the service worker,
 * subscribes with the server's VAPID public key (the button's data-key) and posts what
 * `PushSubscription.toJSON()` gives, with the page's CSRF token.
 */
const PAGE_SCRIPT = `(function () {
  var button = document.getElementById('enable-push');
  var status = document.getElementById('push-status');
  if (!button) return;
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
    status.textContent = 'This browser cannot receive push notifications.';
    return;
  }
  function key(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(base64 + '==='.slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = 'Asking…';
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== 'granted') throw new Error('notifications are not allowed (' + permission + ')');
        return navigator.serviceWorker.register('/sw.js');
      })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(button.dataset.key) });
      })
      .then(function (subscription) {
        var csrf = document.querySelector('input[name=_csrf]').value;
        return fetch('/push/subscriptions', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ _csrf: csrf, subscription: subscription.toJSON() }),
        });
      })
      .then(function (response) {
        if (!response.ok) throw new Error('the server answered ' + response.status);
        status.textContent = 'Browser notifications are on.';
        button.hidden = true;
      })
      .catch(function (error) {
        status.textContent = 'Could not turn notifications on: ' + error.message;
        button.disabled = false;
      });
  });
})();
`;
