import { createHmac } from 'node:crypto';
import { parseSignedLink } from '@sitemsg/core';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { alice, bob, buildApp, Newsletter, pathOf, SECRET, storeKinds, type TestApp } from './app.js';

/** Sends one newsletter by e-mail to alice and bob and returns what the mails carried. */
async function mailed(t: TestApp) {
  const [scheduled] = await t.sitemsg.scheduleMessages(
    new Newsletter({ subject: 'News', text: 'Hello' }),
    t.sitemsg.recipients('email', [alice, bob]),
  );
  await t.sitemsg.sendScheduledMessages();
  const [a, b] = t.email.sent;
  return { scheduled: scheduled!, a: a!, b: b! };
}

/**
 * A link token made as core's README documents it ("Signed links"), written out here rather than
 * imported so that a link can be forged for a dispatch that never existed, and so that the test
 * pins the format: base64url(HMAC-SHA256(key, "messageId:dispatchId:expires")) with
 * key = HMAC-SHA256(secret, "sitemsg:link:" + action); an empty expiry for links that never expire.
 */
function signedToken(action: 'unsubscribe' | 'mark-read', messageId: string, dispatchId: string): string {
  const key = createHmac('sha256', SECRET).update(`sitemsg:link:${action}`).digest();
  return createHmac('sha256', key).update(`${messageId}:${dispatchId}:`).digest('base64url');
}

async function suppressed(t: TestApp, address: string): Promise<boolean> {
  const found = await t.sitemsg.store.findSuppressed('newsletter', [{ messenger: 'email', address }]);
  return found.length > 0;
}

for (const kind of storeKinds('links')) {
  describe(`unsubscribe links (${kind.name})`, () => {
    it('GET shows a confirmation page and changes nothing', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|email']);
      const { a } = await mailed(t);
      const res = await request(t.app).get(pathOf(a.unsubscribeUrl));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('alice@example.test');
      expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; News');
      expect(res.text).not.toContain('<script>alert');
      expect(res.text).toContain(`<form method="post" action="${pathOf(a.unsubscribeUrl)}">`);
      expect(await suppressed(t, alice.email)).toBe(false);
      expect(await t.sitemsg.store.listSubscriptions({ userId: '1' })).toHaveLength(1);
    });

    it('POST unsubscribes, suppresses later explicit sends, and reports whether anything changed', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|email']);
      const removed: string[] = [];
      t.sitemsg.on('subscription:removed', (p) => {
        removed.push(p.address);
      });
      const { a } = await mailed(t);
      const first = await request(t.app).post(pathOf(a.unsubscribeUrl)).type('form').send({});
      expect(first.status).toBe(200);
      expect(first.text).toContain('You have been unsubscribed');
      expect(await suppressed(t, alice.email)).toBe(true);
      expect(await suppressed(t, bob.email)).toBe(false);
      expect(await t.sitemsg.store.listSubscriptions({ userId: '1' })).toEqual([]);
      expect(removed).toEqual([alice.email]);
      const again = await request(t.app).post(pathOf(a.unsubscribeUrl));
      expect(again.status).toBe(200);
      expect(again.text).toContain('already unsubscribed: nothing changed');

      t.email.sent.length = 0;
      await t.sitemsg.scheduleMessages(
        new Newsletter({ subject: 'News 2', text: 'x' }),
        t.sitemsg.recipients('email', [alice, bob]),
      );
      await t.sitemsg.sendScheduledMessages();
      expect(t.email.sent.map((s) => s.dispatch.address)).toEqual([bob.email]);
    });

    it('answers an RFC 8058 one-click POST (urlencoded or multipart) without a page', async () => {
      const t = buildApp(kind);
      const { a, b } = await mailed(t);
      const url = pathOf(a.unsubscribeUrl);
      const res = await request(t.app).post(url).type('form').send('List-Unsubscribe=One-Click');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('Unsubscribed.');
      expect(await suppressed(t, alice.email)).toBe(true);
      expect((await request(t.app).post(url).type('form').send('List-Unsubscribe=One-Click')).text).toBe(
        'Already unsubscribed.',
      );
      const multipart = await request(t.app)
        .post(pathOf(b.unsubscribeUrl))
        .field('List-Unsubscribe', 'One-Click');
      expect(multipart.status).toBe(200);
      expect(multipart.text).toBe('Unsubscribed.');
      expect(await suppressed(t, bob.email)).toBe(true);
    });

    it('refuses forged and altered links with 403 and changes nothing', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|email']);
      const { a, b } = await mailed(t);
      const [, , , messageId, dispatchId, token] = new URL(a.unsubscribeUrl).pathname.split('/');
      const otherDispatch = b.dispatch.id;
      const markReadToken = new URL(a.markReadUrl).pathname.split('/')[5];
      const forged = [
        `/sitemsg/unsubscribe/${messageId}/${dispatchId}/${token!.slice(0, -2)}AA`,
        `/sitemsg/unsubscribe/${messageId}/${otherDispatch}/${token}`,
        `/sitemsg/unsubscribe/other-message/${dispatchId}/${token}`,
        `/sitemsg/unsubscribe/${messageId}/${dispatchId}/${markReadToken}`,
        `/sitemsg/unsubscribe/${messageId}/${dispatchId}/${token}?expires=99999999999`,
        `/sitemsg/unsubscribe/${messageId}/${dispatchId}/${token}?expires=soon`,
        `/sitemsg/unsubscribe/${messageId}/${dispatchId}/x`,
      ];
      const rejected: string[] = [];
      t.sitemsg.on('link:rejected', (p) => {
        rejected.push(p.reason);
      });
      for (const path of forged) {
        const get = await request(t.app).get(path);
        expect(get.status, path).toBe(403);
        expect(get.text).toContain('This link is not valid');
        const post = await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click');
        expect(post.status, path).toBe(403);
      }
      expect(rejected.length).toBeGreaterThanOrEqual(10);
      expect(await suppressed(t, alice.email)).toBe(false);
      expect(await suppressed(t, bob.email)).toBe(false);
      expect(await t.sitemsg.store.listSubscriptions({ userId: '1' })).toHaveLength(1);
    });

    it('refuses an expired link with 403', async () => {
      const t = buildApp(kind, { engine: { linkTtlSeconds: 3600 } });
      const { a } = await mailed(t);
      expect(a.unsubscribeUrl).toMatch(/\?expires=\d+&r=[\w-]+$/);
      expect((await request(t.app).get(pathOf(a.unsubscribeUrl))).status).toBe(200);
      t.clock.advance(3601 * 1000);
      expect((await request(t.app).get(pathOf(a.unsubscribeUrl))).status).toBe(403);
      const post = await request(t.app).post(pathOf(a.unsubscribeUrl));
      expect(post.status).toBe(403);
      expect(await suppressed(t, alice.email)).toBe(false);
    });

    it('still unsubscribes through a link whose dispatch and message were cleaned up', async () => {
      const t = buildApp(kind);
      const { a } = await mailed(t);
      t.clock.advance(86_400_000);
      await t.sitemsg.cleanupSentMessages({ ago: 0 });
      expect(
        await t.sitemsg.store.getDispatch(parseSignedLink(a.unsubscribeUrl)!.link.dispatchId),
      ).toBeNull();
      const page = await request(t.app).get(pathOf(a.unsubscribeUrl));
      expect(page.status).toBe(200);
      expect(page.text).toContain(alice.email);
      const oneClick = await request(t.app)
        .post(pathOf(a.unsubscribeUrl))
        .type('form')
        .send({ 'List-Unsubscribe': 'One-Click' });
      expect(oneClick.status).toBe(200);
      expect(oneClick.text).toBe('Unsubscribed.');
      expect(await suppressed(t, alice.email)).toBe(true);
    });

    it('answers 404 for a correctly signed link to a dispatch that does not exist', async () => {
      const t = buildApp(kind);
      const { a } = await mailed(t);
      const real = parseSignedLink(a.markReadUrl)!.link;
      expect(real.token).toBe(signedToken('mark-read', real.messageId, real.dispatchId));
      const token = signedToken('unsubscribe', 'gone-message', 'gone-dispatch');
      const path = `/sitemsg/unsubscribe/gone-message/gone-dispatch/${token}`;
      const get = await request(t.app).get(path);
      expect(get.status).toBe(404);
      expect(get.text).toContain('no longer exists');
      expect((await request(t.app).post(path)).status).toBe(404);
    });
  });

  describe(`mark-read pixel (${kind.name})`, () => {
    it('returns the GIF, marks the dispatch read once and emits dispatch:read', async () => {
      const t = buildApp(kind);
      const { a } = await mailed(t);
      const reads: string[] = [];
      t.sitemsg.on('dispatch:read', (p) => {
        reads.push(p.dispatch.id);
      });
      for (let i = 0; i < 2; i++) {
        const res = await request(t.app).get(pathOf(a.markReadUrl));
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('image/gif');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(
          Buffer.from(res.body as Buffer)
            .subarray(0, 6)
            .toString(),
        ).toBe('GIF89a');
      }
      expect(reads).toEqual([a.dispatch.id]);
      expect((await t.sitemsg.store.getDispatch(a.dispatch.id))?.readStatus).toBe('read');
    });

    it('returns the same GIF for a bad signature or an unknown dispatch and marks nothing', async () => {
      const t = buildApp(kind);
      const { a, b } = await mailed(t);
      const [, , , messageId, , token] = new URL(a.markReadUrl).pathname.split('/');
      const good = await request(t.app).get(pathOf(b.markReadUrl));
      for (const path of [
        `/sitemsg/mark-read/${messageId}/${b.dispatch.id}/${token}`,
        `/sitemsg/mark-read/${messageId}/${a.dispatch.id}/${token!.slice(1)}`,
        `/sitemsg/mark-read/nope/nope/${token}`,
        `/sitemsg/mark-read/${messageId}/${a.dispatch.id}/${token}?expires=bad`,
      ]) {
        const res = await request(t.app).get(path);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('image/gif');
        expect(Buffer.from(res.body as Buffer)).toEqual(Buffer.from(good.body as Buffer));
      }
      expect((await t.sitemsg.store.getDispatch(a.dispatch.id))?.readStatus).toBe('unread');
    });
  });
}
