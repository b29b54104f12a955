/**
 * End to end in headless Chromium (Debian's /usr/bin/chromium through playwright-core), against
 * the PostgreSQL store, the PostgreSQL inbox and the SMTP messenger delivering to a real SMTP server.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createSitemsg, MessageType, type RenderContext, type Sitemsg } from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import { InboxMessenger, InboxService } from '@sitemsg/inbox';
import { SmtpMessenger } from '@sitemsg/messenger-smtp';
import { PostgresStore } from '@sitemsg/store-postgres';
import { PostgresInboxStore } from '@sitemsg/store-postgres/inbox';
import express from 'express';
import type { ParsedMail } from 'mailparser';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sitemsgRouter } from '../src/index.js';
import { SmtpSink } from './fixtures/smtp-sink.js';

const CHROMIUM = '/usr/bin/chromium';

/** A raw header of a parsed mail (mailparser restructures the List-* headers; the raw line is what providers read). */
function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name)?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** A newsletter whose e-mail carries its unsubscribe link and read pixel in the body. */
class Digest extends MessageType<{ subject: string; text: string }> {
  static override alias = 'digest';
  static override title = 'Weekly digest';
  static override allowUserSubscription = true;
  static override compile(r: RenderContext): CompiledMessage {
    const { subject, text } = r.context as { subject: string; text: string };
    const unsubscribe = r.directiveUnsubscribe;
    return {
      subject,
      text: `${text}\n\nUnsubscribe: ${unsubscribe}`,
      html: `<p>${text}</p><p><a id="unsubscribe" href="${unsubscribe}">Unsubscribe</a></p><img alt="" src="${r.directiveMarkRead}">`,
    };
  }
}

const alice = { id: 1, email: 'alice@example.test' };
const bob = { id: 2, email: 'bob@example.test' };
const users = new Map([
  ['1', alice],
  ['2', bob],
]);

let browser: Browser;
let sink: SmtpSink;
let server: Server;
let baseUrl: string;
let sitemsg: Sitemsg;
let inbox: InboxService;
const schema = `t_browser_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: inject('pgUrl'), max: 8 });

beforeAll(async () => {
  sink = await new SmtpSink().start();
  let app: express.Express | null = null;
  server = createServer((req, res) => app?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  sitemsg = createSitemsg({
    store: new PostgresStore({ pool }, { schema, listen: false }),
    secret: 'browser-test-secret-0123456789',
    siteUrl: baseUrl,
    messageTypes: [Digest],
    messengers: [
      new SmtpMessenger({
        host: '127.0.0.1',
        port: sink.port,
        from: 'Shop <shop@example.test>',
        title: 'E-mail',
      }),
    ],
    getUsers: async (ids) => ids.flatMap((id) => users.get(id) ?? []),
  });
  inbox = new InboxService({ store: new PostgresInboxStore({ pool }, { schema }), sitemsg });
  sitemsg.registerMessengerObjects(new InboxMessenger({ inbox }));
  await sitemsg.init();

  app = express();
  app.get('/login/:id', (req, res) => {
    res.cookie('uid', req.params.id, { httpOnly: true, sameSite: 'lax' }).redirect('/sitemsg/preferences');
  });
  app.use(
    sitemsgRouter(sitemsg, {
      inbox,
      getUser: (req) => users.get(String((req.cookies as Record<string, string>).uid)) ?? null,
      csrf: { secret: 'browser-csrf-secret-0123456789', secureCookie: false },
    }),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await sitemsg?.close();
  await inbox?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await sink?.stop();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

async function signIn(userId: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/login/${userId}`);
  await page.waitForURL(`${baseUrl}/sitemsg/preferences`);
  return page;
}

/** Waits (bounded) for something the browser triggers asynchronously. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('in a real browser', () => {
  it('unticking a box on the preferences page stops the next scheduled message on that messenger', async () => {
    await sitemsg.setUserPreferences(alice, ['digest|smtp', 'digest|inbox']);
    await sitemsg.setUserPreferences(bob, ['digest|smtp']);
    const page = await signIn('1');
    await expect(page.isChecked('input[value="digest|smtp"]')).resolves.toBe(true);
    await expect(page.isChecked('input[value="digest|inbox"]')).resolves.toBe(true);
    mkdirSync(join(import.meta.dirname, '..', '.tmp'), { recursive: true });
    await page.screenshot({
      path: join(import.meta.dirname, '..', '.tmp', 'preferences.png'),
      fullPage: true,
    });

    await page.uncheck('input[value="digest|smtp"]');
    await Promise.all([
      page.waitForURL(/\/sitemsg\/preferences\?saved=1$/),
      page.click('button[type=submit]'),
    ]);
    await expect(page.textContent('[role=status]')).resolves.toContain('Your preferences have been saved.');
    await expect(page.isChecked('input[value="digest|smtp"]')).resolves.toBe(false);
    await expect(page.isChecked('input[value="digest|inbox"]')).resolves.toBe(true);
    await page.close();

    const [scheduled] = await sitemsg.scheduleMessages(
      new Digest({ subject: 'Digest 1', text: 'This week' }),
    );
    expect(await sitemsg.prepareDispatches()).toBe(1);
    const dispatches = await sitemsg.store.listDispatches({ messageId: scheduled!.message.id });
    expect(dispatches.map((d) => `${d.messenger}:${d.address}`).sort()).toEqual([
      'inbox:1',
      'smtp:bob@example.test',
    ]);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, error: 0, failed: 0 });
    const mails = await sink.waitFor(1);
    expect(mails.map((m) => m.to)).toEqual([[bob.email]]);
    expect((await inbox.getInbox('1')).messages.map((m) => m.title)).toEqual(['Digest 1']);
  });

  it('clicking the unsubscribe link of a received e-mail, then confirming, suppresses the address', async () => {
    const before = sink.mails.length;
    const [scheduled] = await sitemsg.scheduleMessages(
      new Digest({ subject: 'Digest 2', text: 'Another week' }),
      sitemsg.recipients('smtp', alice),
    );
    await sitemsg.sendScheduledMessages();
    const [captured] = (await sink.waitFor(before + 1)).slice(before);
    const mail = captured!.mail;
    expect(captured!.to).toEqual([alice.email]);
    const headerLink = /<(http[^>]+)>/.exec(rawHeader(mail, 'list-unsubscribe') ?? '')?.[1];
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`Unsubscribe: ${headerLink}`);

    const page = await browser.newPage();
    await page.setContent(String(mail.html)); // the mail as a mail client shows it: the pixel loads
    const dispatchId = scheduled!.dispatches[0]!.id;
    await eventually(
      async () => (await sitemsg.store.getDispatch(dispatchId))?.readStatus === 'read',
      'the read pixel',
    );

    await Promise.all([page.waitForURL(/\/sitemsg\/unsubscribe\//), page.click('#unsubscribe')]);
    expect(page.url()).toBe(headerLink);
    await expect(page.textContent('main')).resolves.toContain(
      'Stop sending “Weekly digest” to alice@example.test',
    );
    const found = () => sitemsg.store.findSuppressed('digest', [{ messenger: 'smtp', address: alice.email }]);
    expect(await found()).toEqual([]); // GET only confirms
    await page.screenshot({ path: join(import.meta.dirname, '..', '.tmp', 'unsubscribe.png') });
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await expect(page.textContent('main')).resolves.toContain('You have been unsubscribed');
    await page.close();
    expect(await found()).toHaveLength(1);

    // Suppressed for explicit recipients too: the engine leaves alice out of the next message.
    const [third] = await sitemsg.scheduleMessages(
      new Digest({ subject: 'Digest 3', text: 'x' }),
      sitemsg.recipients('smtp', [alice, bob]),
    );
    expect(third!.dispatches.map((d) => d.address)).toEqual([bob.email]);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, failed: 0 });
    const after = await sink.waitFor(before + 2);
    expect(after.slice(before + 1).map((m) => m.to)).toEqual([[bob.email]]);
  });

  it('honours the one-click POST a mail provider sends to the List-Unsubscribe URL', async () => {
    const before = sink.mails.length;
    const [bobsMail] = (await sink.waitFor(before)).slice(-1);
    const url = /<(http[^>]+)>/.exec(rawHeader(bobsMail!.mail, 'list-unsubscribe') ?? '')?.[1];
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Unsubscribed.');
    expect(
      await sitemsg.store.findSuppressed('digest', [{ messenger: 'smtp', address: bob.email }]),
    ).toHaveLength(1);
  });
});
