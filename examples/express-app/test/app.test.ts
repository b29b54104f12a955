import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfField, type RunningDemo, signIn as signInAs, startDemo } from './demo.js';

let run: RunningDemo;
beforeAll(async () => {
  run = await startDemo('http');
});
afterAll(async () => {
  await run?.stop();
});

async function signIn(userId: string): Promise<Client> {
  const { client, res } = await signInAs(run.url, userId);
  expect(res.status).toBe(303);
  return client;
}

async function home(client: Client): Promise<string> {
  const res = await client.request('/');
  expect(res.status).toBe(200);
  return res.text();
}

async function unread(client: Client): Promise<number> {
  const res = await client.request('/sitemsg/api/inbox/unread-count');
  expect(res.status).toBe(200);
  return ((await res.json()) as { count: number }).count;
}

describe('the demo app over HTTP', () => {
  it('offers the sign-in form to a visitor and keeps the inbox API closed', async () => {
    const visitor = new Client(run.url);
    expect(await home(visitor)).toContain('Sign in as');
    expect((await visitor.request('/sitemsg/api/inbox/unread-count')).status).toBe(401);
    const prefs = await visitor.request('/sitemsg/preferences');
    expect(prefs.status).toBe(303);
    expect(prefs.headers.get('location')).toBe('/?next=%2Fsitemsg%2Fpreferences');
  });

  it('delivers an order notification to the bell and by e-mail, and reading it clears the bell', async () => {
    const alice = await signIn('1');
    expect(await unread(alice)).toBe(0);
    const csrf = csrfField(await home(alice));
    expect((await alice.form('/demo/order', { _csrf: csrf })).status).toBe(303);
    expect(await unread(alice)).toBe(1);
    const page = await home(alice);
    expect(page).toContain('<span id="bell-count">1</span>');
    expect(page).toMatch(
      /<li class="unread" data-id="[^"]+"><a href="\/messages\/[^"]+">Order #1001 shipped<\/a>/,
    );

    const mail = run.sink.mails.find((m) => m.to.includes('alice@example.test'));
    expect(mail?.mail.subject).toBe('Order #1001 shipped');
    expect(mail?.mail.text).toMatch(/Unsubscribe: http:\/\/127\.0\.0\.1:\d+\/sitemsg\/unsubscribe\//);

    const list = (await (await alice.request('/sitemsg/api/inbox')).json()) as { messages: { id: string }[] };
    const read = await alice.request(`/messages/${list.messages[0]!.id}`);
    expect(read.status).toBe(200);
    expect(await read.text()).toContain('Your order #1001 is on its way.');
    expect(await unread(alice)).toBe(0);
  });

  it('never shows one user’s message to another', async () => {
    const alice = await signIn('1');
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    const list = (await (await alice.request('/sitemsg/api/inbox')).json()) as { messages: { id: string }[] };
    const id = list.messages[0]!.id;
    const bob = await signIn('2');
    expect((await bob.request(`/messages/${id}`)).status).toBe(404);
    expect((await bob.request(`/sitemsg/api/inbox/${id}`)).status).toBe(404);
    const token = ((await (await bob.request('/sitemsg/api/csrf-token')).json()) as { token: string }).token;
    const del = await bob.request(`/sitemsg/api/inbox/${id}`, {
      method: 'DELETE',
      headers: { 'x-csrf-token': token },
    });
    expect(del.status).toBe(404);
    expect((await alice.request(`/sitemsg/api/inbox/${id}`)).status).toBe(200);
  });

  it('refuses the demo’s own forms without a CSRF token', async () => {
    const alice = await signIn('1');
    const before = await unread(alice);
    expect((await alice.form('/demo/order', {})).status).toBe(403);
    expect(await unread(alice)).toBe(before);
  });

  it('changes preferences: the next newsletter skips the unticked channel', async () => {
    const bob = await signIn('2');
    const form = await bob.request('/sitemsg/preferences');
    const csrf = csrfField(await form.text());
    const save = await bob.form('/sitemsg/preferences', { _csrf: csrf, pref: ['newsletter|inbox'] });
    expect(save.status).toBe(303);
    expect(await (await bob.request('/sitemsg/preferences?saved=1')).text()).toContain(
      'Your preferences have been saved.',
    );
    const mailsBefore = run.sink.mails.length;
    const bobUnread = await unread(bob);
    await bob.form('/demo/newsletter', { _csrf: csrfField(await home(bob)) });
    expect(await unread(bob)).toBe(bobUnread + 1);
    expect(run.sink.mails.slice(mailsBefore).filter((m) => m.to.includes('bob@example.test'))).toEqual([]);
  });

  it('unsubscribes from the link in the e-mail', async () => {
    const alice = await signIn('1');
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    const mail = run.sink.mails.at(-1)!;
    const link = /Unsubscribe: (\S+)/.exec(mail.mail.text ?? '')![1]!;
    const visitor = new Client(run.url);
    const confirm = await visitor.request(link);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain(
      'Stop sending “Order updates” to <strong>alice@example.test</strong>',
    );
    const done = await visitor.request(link, { method: 'POST' });
    expect(await done.text()).toContain('You have been unsubscribed');
    const mailsBefore = run.sink.mails.length;
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    expect(run.sink.mails.length).toBe(mailsBefore); // suppressed on e-mail...
    expect(await unread(alice)).toBeGreaterThan(0); // ...still in the bell
  });

  it('texts the order through Twilio (the local fake) with this app’s status callback; a STOP there stops the texts', async () => {
    const alice = await signIn('1');
    const { fake, twilio: account } = run.twilio;
    const before = fake.accepted.length;
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    const sent = fake.accepted.slice(before);
    expect(sent).toHaveLength(1);
    // The national number of the user record, sent in E.164; the callback is siteUrl + the webhook route.
    expect(sent[0]).toMatchObject({
      to: '+14155550101',
      from: '+14155550100',
      statusCallback: `${run.url}/sitemsg/webhooks/twilio`,
    });
    expect(sent[0]!.body).toMatch(/^Your order #\d+ is on its way\./);
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${account.accountSid}/Messages.json`);
    expect(request.form.Body).toBe(sent[0]!.body);

    // Alice replies STOP: Twilio posts it, signed, to the webhook express-views mounts.
    const hook = `${run.url}/sitemsg/webhooks/twilio`;
    const reply = async (body: string) => {
      const params = {
        AccountSid: account.accountSid,
        Body: body,
        From: '+14155550101',
        MessageSid: `SM${body}`,
        To: account.from,
      };
      const res = await fetch(hook, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(account.authToken, hook, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(res.status).toBe(200);
    };
    await reply('STOP');
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    expect(fake.accepted.length).toBe(before + 1);
    await reply('START');
    await alice.form('/demo/order', { _csrf: csrfField(await home(alice)) });
    expect(fake.accepted.length).toBe(before + 2);
  });

  it('reports its liveness, naming nothing internal', async () => {
    const res = await new Client(run.url).request('/sitemsg/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
