import { timingSafeEqual } from 'node:crypto';
import { createSitemsg, type Sitemsg, type SitemsgUser } from '@sitemsg/core';
import { sitemsgRouter } from '@sitemsg/express-views';
import { InboxMessenger, InboxService } from '@sitemsg/inbox';
import { SmtpMessenger } from '@sitemsg/messenger-smtp';
import { createTwilioWebhookHandler, TwilioMessenger } from '@sitemsg/messenger-twilio';
import { PostgresStore } from '@sitemsg/store-postgres';
import { PostgresInboxStore } from '@sitemsg/store-postgres/inbox';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { type ErrorRequestHandler, type Request } from 'express';
import pg from 'pg';
import { Newsletter, OrderShipped } from './message-types.js';
import { page } from './pages.js';
import { createPushChannel, type PushChannel, type PushConfig } from './push.js';
import { safeNext } from './safe-next.js';
import { deriveKey } from './secret.js';

export interface DemoConfig {
  /** PostgreSQL for both the engine's store and the inbox. */
  readonly databaseUrl: string;
  /** Schema of the demo's tables. Default `sitemsg_demo`. */
  readonly schema?: string;
  /** Where the SMTP messenger delivers (the local sink in development). */
  readonly smtp: { readonly host: string; readonly port: number };
  /** The Twilio account SMS go through (a local fake in development: see `sms-sink.ts`). */
  readonly twilio: TwilioConfig;
  /** Public URL of the app, for the links in e-mails. */
  readonly siteUrl: string;
  /**
   * Signs the unsubscribe / mark-read links, the session cookie and the CSRF tokens (one derived
   * key each). No default: `main.ts` takes it from SITEMSG_SECRET (see `secret.ts`).
   */
  readonly secret: string;
  /** Bearer token of `GET /sitemsg/health/ready` (your monitoring); without it, only liveness. */
  readonly healthToken?: string;
  /** Secure (HTTPS-only) cookies. Default true; false for plain-HTTP development. */
  readonly secureCookies?: boolean;
  /** Browser notifications (Web Push): VAPID keys and subject. Without it, no push channel. */
  readonly push?: PushConfig;
}

/** A Twilio account: credentials, the sending number, and the API origin (a local fake's, or Twilio's). */
export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
  readonly baseUrl?: string;
}

export interface DemoUser extends SitemsgUser {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
}

/** The demo's user database. */
export const demoUsers: readonly DemoUser[] = [
  { id: 1, name: 'Alice', email: 'alice@example.test', phone: '(415) 555-0101' },
  { id: 2, name: 'Bob', email: 'bob@example.test', phone: '(415) 555-0102' },
];

export interface DemoApp {
  readonly app: express.Express;
  readonly sitemsg: Sitemsg;
  readonly inbox: InboxService;
  /** Browser notifications, when configured. */
  readonly push: PushChannel | null;
  close(): Promise<void>;
}

const SESSION = 'demo_user';

/** Wires core, the PostgreSQL store, SMTP, the inbox and the views into one Express app. */
export async function createDemoApp(config: DemoConfig): Promise<DemoApp> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  const schema = config.schema ?? 'sitemsg_demo';
  const secure = config.secureCookies ?? true;
  const byId = new Map(demoUsers.map((u) => [String(u.id), u]));
  const push = config.push ? await createPushChannel(config.push, { pool, schema }) : null;

  const sitemsg = createSitemsg({
    store: new PostgresStore({ pool }, { schema }),
    messengers: [
      new SmtpMessenger({
        host: config.smtp.host,
        port: config.smtp.port,
        from: '"Demo shop" <shop@example.test>',
        title: 'E-mail',
      }),
      // SMS through Twilio, as the channel `sms`. Its status callbacks default to this app's
      // {siteUrl}/sitemsg/webhooks/twilio, mounted below; a STOP there suppresses the number.
      new TwilioMessenger({ ...config.twilio, alias: 'sms', title: 'SMS', defaultRegion: 'US' }),
      ...(push ? [push.messenger] : []),
    ],
    messageTypes: [OrderShipped, Newsletter],
    secret: deriveKey(config.secret, 'links'),
    siteUrl: config.siteUrl,
    getUsers: async (ids) => ids.flatMap((id) => byId.get(id) ?? []),
  });
  const inbox = new InboxService({
    store: new PostgresInboxStore({ pool }, { schema }),
    sitemsg,
    retentionDays: 90,
  });
  sitemsg.registerMessengerObjects(new InboxMessenger({ inbox }));
  await sitemsg.init();
  await inbox.init();

  const userOf = (req: Request): DemoUser | null =>
    byId.get(String((req.signedCookies as Record<string, unknown>)[SESSION])) ?? null;
  // The app's own forms get the same protection as the views': a double-submit token.
  const csrf = doubleCsrf({
    getSecret: () => deriveKey(config.secret, 'csrf'),
    getSessionIdentifier: (req) => String(userOf(req)?.id ?? ''),
    cookieName: 'demo_csrf',
    cookieOptions: { secure, sameSite: 'lax', path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(cookieParser(deriveKey(config.secret, 'session')));
  app.use(
    sitemsgRouter(sitemsg, {
      inbox,
      getUser: userOf,
      csrf: { secret: deriveKey(config.secret, 'views-csrf'), secureCookie: secure },
      loginUrl: '/',
      webhooks: {
        twilio: createTwilioWebhookHandler({ authToken: config.twilio.authToken, sitemsg, messenger: 'sms' }),
      },
      ...(config.healthToken && { health: { readiness: { guard: bearer(config.healthToken) } } }),
    }),
  );
  if (push) app.use(push.router({ csrfProtection: csrf.doubleCsrfProtection, userOf }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', async (req, res) => {
    const user = userOf(req);
    if (!user) {
      // The sign-in form is CSRF-protected too: otherwise another site can sign a visitor in to
      // an account of its choosing (login CSRF) and read what they then do there.
      const form = {
        users: demoUsers,
        next: safeNext(req.query.next),
        csrf: csrf.generateCsrfToken(req, res),
      };
      return res.send(page('signin', 'Sign in', form));
    }
    const { messages } = await inbox.getInbox(String(user.id), { limit: 20 });
    const unread = await inbox.countUnread(String(user.id));
    res.send(
      page('home', 'Notifications', {
        user,
        messages,
        unread,
        csrf: csrf.generateCsrfToken(req, res),
        push: push ? { publicKey: push.messenger.vapidPublicKey } : null,
      }),
    );
  });

  app.post('/login', csrf.doubleCsrfProtection, (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = byId.get(String(body.user));
    if (!user) return res.status(400).send('Unknown user.');
    res.cookie(SESSION, String(user.id), { signed: true, httpOnly: true, sameSite: 'lax', secure });
    // Only a path on this site: `next` is written by whoever wrote the link.
    res.redirect(303, safeNext(body.next ?? req.query.next));
  });

  app.post('/logout', csrf.doubleCsrfProtection, (_req, res) => {
    res.clearCookie(SESSION).redirect(303, '/');
  });

  // Opening a message marks it read; another user's message is a 404, like a missing one.
  app.get('/messages/:id', async (req, res) => {
    const user = userOf(req);
    if (!user) return res.redirect(303, '/');
    const message = await inbox.getMessage(req.params.id, String(user.id)).catch(() => null);
    if (!message)
      return res
        .status(404)
        .send(page('message', 'Not found', { message: { title: 'Not found', body: '' } }));
    await inbox.markRead(message.id, String(user.id));
    res.send(page('message', message.title, { message }));
  });

  let nextOrder = 1000;
  app.post('/demo/order', csrf.doubleCsrfProtection, async (req, res) => {
    const user = userOf(req);
    if (!user) return res.status(401).send('Sign in first.');
    const to = [
      ...sitemsg.recipients('smtp', user),
      ...sitemsg.recipients('sms', user),
      ...sitemsg.recipients('inbox', user),
      ...(push ? sitemsg.recipients(push.messenger.alias, await push.withSubscriptions(user)) : []),
    ];
    await sitemsg.scheduleMessages(new OrderShipped({ orderId: String(++nextOrder) }), to);
    // A real deployment leaves sending to workers (`sitemsg work`); the demo sends at once.
    await sitemsg.sendScheduledMessages();
    res.redirect(303, '/');
  });

  let issue = 0;
  app.post('/demo/newsletter', csrf.doubleCsrfProtection, async (req, res) => {
    if (!userOf(req)) return res.status(401).send('Sign in first.');
    // No recipients: the newsletter goes to whoever subscribed, as each user's preferences say.
    await sitemsg.scheduleMessages(new Newsletter({ issue: ++issue }));
    await sitemsg.prepareDispatches();
    await sitemsg.sendScheduledMessages();
    res.redirect(303, '/');
  });

  app.use(errorPage);

  return {
    app,
    sitemsg,
    inbox,
    push,
    async close() {
      await sitemsg.close();
      await inbox.close();
      await pool.end();
    },
  };
}

/** `Authorization: Bearer <token>`, compared in constant time. */
function bearer(token: string): (req: Request) => boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** The app's own errors: a short page, never a stack trace (Express shows one outside production). */
const errorPage: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : null;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const text =
      status === 403 ? 'The form expired. Go back, reload the page and try again.' : 'Bad request.';
    return res
      .status(status)
      .send(page('message', 'Request refused', { message: { title: 'Request refused', body: text } }));
  }
  console.error(error);
  res.status(500).send(
    page('message', 'Error', {
      message: { title: 'Something went wrong', body: 'Please try again later.' },
    }),
  );
};
