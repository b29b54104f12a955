/**
 * The subscription endpoint over HTTP: it stores what `PushSubscription.toJSON()` gives for the
 * signed-in user only, behind the app's CSRF check, and refuses what is not a usable subscription.
 */
import { generateVapidKeys } from '@sitemsg/messenger-webpush';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfField, type RunningDemo, signIn, startDemo } from './demo.js';
import { LocalPushService } from './push-service.js';

let run: RunningDemo;
let service: LocalPushService;
const vapid = generateVapidKeys();

beforeAll(async () => {
  service = await new LocalPushService().start();
  run = await startDemo('push', {
    push: {
      vapidSubject: 'mailto:shop@example.com',
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      pushServiceHosts: ['127.0.0.1'],
      agent: service.agent,
    },
  });
});
afterAll(async () => {
  await run?.stop();
  await service?.close();
});

async function signedIn(userId: string): Promise<{ client: Client; csrf: string }> {
  const { client } = await signIn(run.url, userId);
  return { client, csrf: csrfField(await (await client.request('/')).text()) };
}

function post(client: Client, body: unknown): Promise<Response> {
  return client.request('/push/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const subscriptionsOf = (id: string): Promise<string[]> => run.demo.push!.subscriptionsOf(id);

describe('storing push subscriptions', () => {
  it('offers the button with the VAPID public key, and serves the service worker and the page script', async () => {
    const { client } = await signedIn('1');
    const home = await (await client.request('/')).text();
    expect(home).toContain(
      `<button id="enable-push" type="button" hidden data-key="${vapid.publicKey}">Enable browser notifications</button>`,
    );
    expect(home).toContain('<script src="/push/client.js"></script>');
    const worker = await new Client(run.url).request('/sw.js');
    expect(worker.headers.get('content-type')).toMatch(/^text\/javascript/);
    await expect(worker.text()).resolves.toContain("addEventListener('push'");
  });

  it("stores the signed-in user's subscription as the messenger's canonical address, whatever user the body names", async () => {
    const { client, csrf } = await signedIn('1');
    const browser = service.subscribe();
    const res = await post(client, { _csrf: csrf, subscription: browser.json, userId: 2 });
    expect(res.status).toBe(201);
    const stored = JSON.stringify({ endpoint: browser.json.endpoint, keys: browser.json.keys });
    expect(await subscriptionsOf('1')).toContain(stored);
    expect(await subscriptionsOf('2')).not.toContain(stored);
  });

  it('refuses a visitor, another user’s CSRF token and a missing token, and stores nothing', async () => {
    const browser = service.subscribe();
    const visitor = new Client(run.url);
    const signinCsrf = csrfField(await (await visitor.request('/')).text());
    expect((await post(visitor, { _csrf: signinCsrf, subscription: browser.json })).status).toBe(401);
    const alice = await signedIn('1');
    const bob = await signedIn('2');
    expect((await post(bob.client, { _csrf: alice.csrf, subscription: browser.json })).status).toBe(403);
    expect((await post(bob.client, { subscription: browser.json })).status).toBe(403);
    const all = [...(await subscriptionsOf('1')), ...(await subscriptionsOf('2'))];
    expect(all.some((s) => s.includes(browser.json.endpoint))).toBe(false);
  });

  it('refuses what is not a usable subscription with the reason, and an endpoint outside the push services', async () => {
    const { client, csrf } = await signedIn('2');
    const browser = service.subscribe();
    const cases: [unknown, RegExp][] = [
      [undefined, /not a push subscription object/],
      [{ endpoint: browser.json.endpoint }, /keys is missing/],
      [
        { ...browser.json, keys: { ...browser.json.keys, auth: 'c2hvcnQ' } },
        /keys\.auth must be the 16-byte/,
      ],
      [
        { ...browser.json, endpoint: 'https://169.254.169.254/latest/meta-data' },
        /is not a known push service/,
      ],
    ];
    for (const [subscription, why] of cases) {
      const res = await post(client, { _csrf: csrf, subscription });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(why);
    }
    expect(await subscriptionsOf('2')).toEqual([]);
  });

  it('keeps one row per browser: the same browser stored by another user moves to that user', async () => {
    const browser = service.subscribe();
    const alice = await signedIn('1');
    const bob = await signedIn('2');
    expect((await post(alice.client, { _csrf: alice.csrf, subscription: browser.json })).status).toBe(201);
    expect((await post(bob.client, { _csrf: bob.csrf, subscription: browser.json })).status).toBe(201);
    const has = (list: string[]) => list.some((s) => s.includes(browser.json.endpoint));
    expect(has(await subscriptionsOf('1'))).toBe(false);
    expect(has(await subscriptionsOf('2'))).toBe(true);
  });
});
