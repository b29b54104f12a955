import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { alice, buildApp, csrfFromHtml, storeKinds, type TestApp } from './app.js';

async function signedIn(t: TestApp, id: string) {
  const agent = request.agent(t.app);
  await agent.get(`/login/${id}`).expect(200);
  return agent;
}

async function subscriptions(t: TestApp, userId: string): Promise<string[]> {
  return (await t.sitemsg.store.listSubscriptions({ userId }))
    .map((s) => `${s.messageType}|${s.messenger}`)
    .sort();
}

for (const kind of storeKinds('prefs')) {
  describe(`preferences page (${kind.name})`, () => {
    it('answers 401 without a user, or redirects to loginUrl', async () => {
      const t = buildApp(kind);
      const res = await request(t.app).get('/sitemsg/preferences');
      expect(res.status).toBe(401);
      expect(res.text).toContain('Please sign in');
      expect(
        (await request(t.app).post('/sitemsg/preferences').type('form').send({ pref: 'security|email' }))
          .status,
      ).toBe(401);
      const redirecting = buildApp(kind, { router: { loginUrl: '/login?from=mail' } });
      const redirect = await request(redirecting.app).get('/sitemsg/preferences?x=1');
      expect(redirect.status).toBe(303);
      expect(redirect.headers.location).toBe('/login?from=mail&next=%2Fsitemsg%2Fpreferences%3Fx%3D1');
    });

    it('renders the table: escaped titles, checked subscriptions, disabled unsupported cells', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|inbox']);
      const agent = await signedIn(t, '1');
      const res = await agent.get('/sitemsg/preferences');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const html = res.text;
      expect(html).toContain(
        '<th scope="row">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; News</th>',
      );
      expect(html).not.toContain('<script>');
      expect(html).toMatch(/name="pref" id="[^"]+" value="newsletter\|inbox" aria-label="[^"]+" checked>/);
      expect(html).toMatch(/value="newsletter\|email" aria-label="[^"]+">/);
      expect(html).toMatch(/value="security\|inbox" aria-label="[^"]+" disabled>/);
      expect(html).toMatch(/value="security\|email" aria-label="[^"]+">/);
      expect(csrfFromHtml(html)).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
      expect(res.headers['set-cookie']?.[0]).toMatch(
        /^sitemsg_csrf=.*; Path=\/sitemsg; HttpOnly; SameSite=Strict$/,
      );
    });

    it('saves the ticked boxes with a valid CSRF token and redirects to a confirmation', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|inbox']);
      const agent = await signedIn(t, '1');
      const token = csrfFromHtml((await agent.get('/sitemsg/preferences')).text);
      const res = await agent
        .post('/sitemsg/preferences')
        .type('form')
        .send(`_csrf=${token}&pref=newsletter%7Cemail&pref=security%7Cemail`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/sitemsg/preferences?saved=1');
      expect(await subscriptions(t, '1')).toEqual(['newsletter|email', 'security|email']);
      const after = await agent.get('/sitemsg/preferences?saved=1');
      expect(after.text).toContain('Your preferences have been saved.');
      expect(after.text).toMatch(/value="newsletter\|inbox" aria-label="[^"]+">/);
      // Unticking everything is a valid choice.
      await agent.post('/sitemsg/preferences').type('form').send(`_csrf=${token}`).expect(303);
      expect(await subscriptions(t, '1')).toEqual([]);
    });

    it('refuses a POST without, with a wrong, or with another user’s CSRF token, changing nothing', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|inbox']);
      const alices = await signedIn(t, '1');
      const aliceToken = csrfFromHtml((await alices.get('/sitemsg/preferences')).text);
      const bobs = await signedIn(t, '2');
      const bobToken = csrfFromHtml((await bobs.get('/sitemsg/preferences')).text);

      const none = await alices.post('/sitemsg/preferences').type('form').send('pref=security%7Cemail');
      expect(none.status).toBe(403);
      expect(none.text).toContain('The form expired or did not come from this site');
      const wrong = await alices
        .post('/sitemsg/preferences')
        .type('form')
        .send(`_csrf=${aliceToken.slice(0, -4)}beef&pref=security%7Cemail`);
      expect(wrong.status).toBe(403);
      const borrowed = await alices
        .post('/sitemsg/preferences')
        .type('form')
        .send(`_csrf=${bobToken}&pref=security%7Cemail`);
      expect(borrowed.status).toBe(403);
      // A cookie-less request (a cross-site form post without the CSRF cookie) fails too.
      const crossSite = await request(t.app)
        .post('/sitemsg/preferences')
        .set('Cookie', 'uid=1')
        .type('form')
        .send(`_csrf=${aliceToken}&pref=security%7Cemail`);
      expect(crossSite.status).toBe(403);
      expect(await subscriptions(t, '1')).toEqual(['newsletter|inbox']);
    });

    it('refuses a choice the table does not offer (a disabled cell, garbage) with 400, changing nothing', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|inbox']);
      const agent = await signedIn(t, '1');
      const token = csrfFromHtml((await agent.get('/sitemsg/preferences')).text);
      for (const pref of ['security%7Cinbox', 'nope%7Cemail', 'newsletter%7Csms']) {
        const res = await agent.post('/sitemsg/preferences').type('form').send(`_csrf=${token}&pref=${pref}`);
        expect(res.status, pref).toBe(400);
        expect(res.text).toContain('not offered');
      }
      expect(await subscriptions(t, '1')).toEqual(['newsletter|inbox']);
    });

    it('answers a JSON, text or empty body with a valid CSRF token with 415 / 400, changing nothing', async () => {
      const t = buildApp(kind);
      await t.sitemsg.setUserPreferences(alice, ['newsletter|inbox']);
      const agent = await signedIn(t, '1');
      const token = csrfFromHtml((await agent.get('/sitemsg/preferences')).text);
      const post = () => agent.post('/sitemsg/preferences').set('x-csrf-token', token);
      for (const res of [
        await post().set('Content-Type', 'application/json').send('{"pref":["security|email"]}'),
        await post().set('Content-Type', 'text/plain').send('pref=security|email'),
      ]) {
        expect(res.status).toBe(415);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('Send the form as application/x-www-form-urlencoded');
      }
      const empty = await post();
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('The form was empty');
      expect(await subscriptions(t, '1')).toEqual(['newsletter|inbox']);
    });

    it('renders the Bootstrap variant, the stylesheets and the application layout when asked', async () => {
      const t = buildApp(kind, {
        router: { bootstrap: true, stylesheets: ['/css/bootstrap.min.css', '/x.css?a=1&b=2'] },
      });
      const agent = await signedIn(t, '1');
      const html = (await agent.get('/sitemsg/preferences')).text;
      expect(html).toContain('<table class="table table-striped align-middle">');
      expect(html).toContain('class="form-check-input"');
      expect(html).toContain('<button type="submit" class="btn btn-primary">');
      expect(html).toContain('<link rel="stylesheet" href="/css/bootstrap.min.css">');
      expect(html).toContain('<link rel="stylesheet" href="/x.css?a=1&amp;b=2">');
      expect(html).toContain('<body class="container py-4">');

      const wrapped = buildApp(kind, {
        router: { layout: ({ title, body }) => `<app-shell data-title="${title}">${body}</app-shell>` },
      });
      const page = (await (await signedIn(wrapped, '1')).get('/sitemsg/preferences')).text;
      expect(
        page.startsWith(
          '<app-shell data-title="Notification preferences"><main class="sitemsg-preferences">',
        ),
      ).toBe(true);
    });

    it('limits the table with the preferences option', async () => {
      const t = buildApp(kind, {
        router: { preferences: { messageTypes: ['security'], messengerTitles: { email: 'E-mail <b>' } } },
      });
      const html = (await (await signedIn(t, '1')).get('/sitemsg/preferences')).text;
      expect(html).not.toContain('newsletter|');
      expect(html).toContain('<th scope="col">E-mail &lt;b&gt;</th>');
    });
  });
}
