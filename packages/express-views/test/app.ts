import { randomBytes } from 'node:crypto';
import { createSitemsg, ManualClock, MessageType, type Sitemsg, type SitemsgOptions } from '@sitemsg/core';
import {
  type DispatchResult,
  Messenger,
  type Messenger as MessengerBase,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
  type Store,
} from '@sitemsg/core/plugin';
import { InboxMessenger, InboxService, type InboxStore, MemoryInboxStore } from '@sitemsg/inbox';
import { PostgresStore } from '@sitemsg/store-postgres';
import { PostgresInboxStore } from '@sitemsg/store-postgres/inbox';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { type SitemsgRouterOptions, sitemsgRouter } from '../src/index.js';

export const SECRET = 'views-test-secret-0123456789';
export const CSRF_SECRET = 'csrf-test-secret-0123456789';

/** An e-mail channel that records what it was asked to send (its links are what a mail would carry). */
export class RecordingEmail extends Messenger {
  static override alias = 'email';
  readonly sent: OutgoingDispatch[] = [];
  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }
  override validateAddress(address: string): boolean {
    return address.includes('@');
  }
  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    this.sent.push(...batch);
    return batch.map((b) => ({ dispatchId: b.dispatch.id, result: ok({}) }));
  }
}

export class Newsletter extends MessageType<{ subject: string; text: string }> {
  static override alias = 'newsletter';
  static override title = '<script>alert("x")</script> & News';
  static override allowUserSubscription = true;
}

export class Security extends MessageType<{ subject: string; text: string }> {
  static override alias = 'security';
  static override title = 'Security alerts';
  static override allowUserSubscription = true;
  static override supportedMessengers: readonly string[] = ['email'];
}

/** A type alias (not an interface) so that it fits SitemsgUser's index signature. */
export type DemoUser = { readonly id: number; readonly email: string; readonly name: string };

export const alice: DemoUser = { id: 1, email: 'alice@example.test', name: 'Alice' };
export const bob: DemoUser = { id: 2, email: 'bob@example.test', name: 'Bob' };

export const users: Map<string, SitemsgUser> = new Map<string, SitemsgUser>([
  ['1', alice],
  ['2', bob],
]);

/** The stores a route suite runs on. */
export interface StoreKind {
  readonly name: string;
  sitemsgStore(): Store | undefined;
  inboxStore(): InboxStore;
}

/** Memory for both, and PostgreSQL for both (in a schema of this file's own, dropped after; tables per app). */
export function storeKinds(label: string): StoreKind[] {
  const schema = `t_${label}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: inject('pgUrl'), max: 5 });
  // Created up front: the engine's store and the inbox store would otherwise both create it at once.
  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  let n = 0;
  return [
    { name: 'memory', sitemsgStore: () => undefined, inboxStore: () => new MemoryInboxStore() },
    {
      name: 'postgres',
      sitemsgStore: () => new PostgresStore({ pool }, { schema, tablePrefix: `s${++n}_`, listen: false }),
      inboxStore: () => new PostgresInboxStore({ pool }, { schema, tablePrefix: `a${n}_` }),
    },
  ];
}

export interface TestApp {
  readonly app: express.Express;
  readonly sitemsg: Sitemsg;
  readonly inbox: InboxService;
  readonly email: RecordingEmail;
  readonly clock: ManualClock;
}

export function buildApp(
  kind: StoreKind,
  options: {
    engine?: Partial<SitemsgOptions>;
    router?: Partial<SitemsgRouterOptions>;
    messengers?: MessengerBase[];
  } = {},
): TestApp {
  const clock = new ManualClock(new Date('2026-04-01T10:00:00Z'));
  const email = new RecordingEmail();
  const store = kind.sitemsgStore();
  const sitemsg = createSitemsg({
    clock,
    secret: SECRET,
    siteUrl: 'http://127.0.0.1',
    messageTypes: [Newsletter, Security],
    messengers: [email, ...(options.messengers ?? [])],
    getUsers: async (ids) => ids.flatMap((id) => users.get(id) ?? []),
    ...(store && { store }),
    ...options.engine,
  });
  const inbox = new InboxService({ store: kind.inboxStore(), clock, sitemsg });
  sitemsg.registerMessengerObjects(new InboxMessenger({ inbox }));
  const app = express();
  // The application's sign-in, reduced to a cookie naming the user.
  app.get('/login/:id', (req, res) => {
    res.cookie('uid', req.params.id, { httpOnly: true, sameSite: 'lax' }).send('signed in');
  });
  app.use(
    sitemsgRouter(sitemsg, {
      inbox,
      getUser: (req) => users.get(String((req.cookies as Record<string, string> | undefined)?.uid)) ?? null,
      csrf: { secret: CSRF_SECRET, secureCookie: false },
      ...options.router,
    }),
  );
  return { app, sitemsg, inbox, email, clock };
}

/** Path and query of a signed URL (the app runs on another origin in tests). */
export function pathOf(url: string | null | undefined): string {
  if (!url) throw new Error('no link');
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** The CSRF token a rendered form carries. */
export function csrfFromHtml(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field in the page');
  return match[1]!;
}
