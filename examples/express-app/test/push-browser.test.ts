/**
 * "Enable browser notifications" in headless Chromium. What Chromium here can do for real: run the
 * page script, register the service worker, and show a notification from the worker's `push`
 * handler (a push delivered through the DevTools protocol, `ServiceWorker.deliverPushMessage`, as
 * the browser delivers a decrypted message). What it cannot: subscribe (headless Chromium refuses
 * `pushManager.subscribe`, and its push service is Google's, out of reach) — the first test shows
 * that refusal as a user sees it; the second stands in for `subscribe` with a subscription made in
 * the test (its keys from node:crypto, its endpoint a local push service), and follows it all the
 * way: stored for the signed-in user, an order pushes to it, the push service gets an encrypted
 * body, the test decrypts it with the subscription's keys and hands it to the worker, which shows it.
 */
import { generateVapidKeys } from '@sitemsg/messenger-webpush';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from './demo.js';
import { LocalPushService } from './push-service.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** What the page-side functions below use of the browser (this project compiles without the DOM library). */
interface PageGlobals {
  navigator: {
    serviceWorker: {
      ready: Promise<{
        active: { scriptURL: string } | null;
        getNotifications(): Promise<{ title: string; body: string; tag: string }[]>;
      }>;
    };
  };
  document: { getElementById(id: string): { textContent: string | null } | null };
  PushManager: {
    prototype: { subscribe(options?: { applicationServerKey?: ArrayBuffer }): Promise<unknown> };
  };
  subscribedWith?: number[];
}

let run: RunningDemo;
let service: LocalPushService;
let browser: Browser;
const vapid = generateVapidKeys();

beforeAll(async () => {
  service = await new LocalPushService().start();
  run = await startDemo('push_browser', {
    push: {
      vapidSubject: 'mailto:shop@example.com',
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      pushServiceHosts: ['127.0.0.1'],
      agent: service.agent,
    },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await run?.stop();
  await service?.close();
});

async function signedInPage(context: BrowserContext, userId: string): Promise<Page> {
  await context.grantPermissions(['notifications'], { origin: run.url });
  const page = await context.newPage();
  await page.goto(run.url);
  await page.selectOption('select[name=user]', userId);
  await Promise.all([page.waitForURL(`${run.url}/`), page.click('button[type=submit]')]);
  return page;
}

/** The active service worker's script URL, once it is active. */
function activeWorker(page: Page): Promise<string | undefined> {
  return page.evaluate(
    async () =>
      (await (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready).active?.scriptURL,
  );
}

it('registers the service worker, and says so when this browser cannot subscribe; nothing is stored', async () => {
  const context = await browser.newContext();
  try {
    const page = await signedInPage(context, '1');
    await page.click('#enable-push');
    await page.waitForFunction(() =>
      /Could not turn notifications on/.test(
        (globalThis as unknown as PageGlobals).document.getElementById('push-status')?.textContent ?? '',
      ),
    );
    await expect(page.textContent('#push-status')).resolves.toMatch(/Registration failed/);
    await expect(activeWorker(page)).resolves.toBe(`${run.url}/sw.js`);
    expect(await run.demo.push!.subscriptionsOf('1')).toEqual([]);
    await expect(page.isDisabled('#enable-push')).resolves.toBe(false); // the user can try again
  } finally {
    await context.close();
  }
});

it('stores the subscription for the signed-in user, pushes an order to it, and the worker shows it', async () => {
  const context = await browser.newContext();
  try {
    const subscription = service.subscribe();
    // The stand-in for the browser's push service: what `subscribe` resolves to, and the key it was given.
    await context.addInitScript((json) => {
      const w = globalThis as unknown as PageGlobals;
      w.PushManager.prototype.subscribe = async (options) => {
        w.subscribedWith = Array.from(new Uint8Array(options?.applicationServerKey ?? new ArrayBuffer(0)));
        return { endpoint: json.endpoint, toJSON: () => json };
      };
    }, subscription.json);
    const page = await signedInPage(context, '2');
    await page.click('#enable-push');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.getElementById('push-status')?.textContent ===
        'Browser notifications are on.',
    );
    await expect(page.isHidden('#enable-push')).resolves.toBe(true);
    const usedKey = await page.evaluate(() => (globalThis as unknown as PageGlobals).subscribedWith);
    expect(Buffer.from(usedKey ?? []).toString('base64url')).toBe(vapid.publicKey);
    const stored = JSON.stringify({ endpoint: subscription.json.endpoint, keys: subscription.json.keys });
    expect(await run.demo.push!.subscriptionsOf('2')).toEqual([stored]);
    expect(await run.demo.push!.subscriptionsOf('1')).not.toContain(stored);

    // An order for Bob: e-mail, bell, and a push to his browser, encrypted for its keys.
    await Promise.all([page.waitForURL(`${run.url}/`), page.click('#ship')]);
    const pushes = service.arrived.filter((p) => subscription.json.endpoint.endsWith(p.path));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.headers['content-encoding']).toBe('aes128gcm');
    const plaintext = service.decrypt(pushes[0]!, subscription);
    const message = JSON.parse(plaintext) as { title: string; body: string; tag: string };
    expect(message).toMatchObject({ title: expect.stringMatching(/^Order #\d+ shipped$/), url: '/' });
    expect(message.body).toMatch(/^Your order #\d+ is on its way\.$/);

    // The browser hands the decrypted message to the worker: it shows the notification.
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
        const live = event.registrations.find((r) => !r.isDeleted && r.scopeURL === `${run.url}/`);
        if (live) resolve(live.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: `${run.url}/`,
      registrationId: await registration,
      data: plaintext,
    });
    const shown = await page.waitForFunction(async () => {
      const ready = await (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready;
      const list = await ready.getNotifications();
      return list.length > 0 ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag })) : null;
    });
    expect(await shown.jsonValue()).toEqual([{ title: message.title, body: message.body, tag: message.tag }]);
  } finally {
    await context.close();
  }
});
