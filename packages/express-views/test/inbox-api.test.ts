import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp, storeKinds, type TestApp } from './app.js';

async function signedIn(t: TestApp, id: string) {
  const agent = request.agent(t.app);
  await agent.get(`/login/${id}`).expect(200);
  const token = (await agent.get('/sitemsg/api/csrf-token').expect(200)).body.token as string;
  return { agent, token };
}

async function seed(t: TestApp) {
  const a = [];
  for (let i = 0; i < 5; i++) {
    a.push(await t.inbox.send('1', `alice ${i}`, `body ${i}`, { n: i }));
    t.clock.advance(1000);
  }
  const b = await t.inbox.send('2', 'bob 0', 'for bob only');
  return { a, b };
}

for (const kind of storeKinds('api')) {
  describe(`inbox API (${kind.name})`, () => {
    it('answers 401 on every route without a user', async () => {
      const t = buildApp(kind);
      const { b } = await seed(t);
      const calls = [
        request(t.app).get('/sitemsg/api/csrf-token'),
        request(t.app).get('/sitemsg/api/inbox'),
        request(t.app).get('/sitemsg/api/inbox/unread-count'),
        request(t.app).get(`/sitemsg/api/inbox/${b.id}`),
        request(t.app).post(`/sitemsg/api/inbox/${b.id}/read`),
        request(t.app).post('/sitemsg/api/inbox/read-all'),
        request(t.app).delete(`/sitemsg/api/inbox/${b.id}`),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'unauthorized', message: 'Sign in to use the inbox.' });
      }
      expect(await t.inbox.getMessage(b.id)).toMatchObject({ read: false });
    });

    it('lists the user’s own messages newest first with a cursor, and only unread when asked', async () => {
      const t = buildApp(kind);
      const { a } = await seed(t);
      await t.inbox.markRead(a[3]!.id, '1');
      const { agent } = await signedIn(t, '1');
      const first = await agent.get('/sitemsg/api/inbox?limit=2').expect(200);
      expect(first.body.messages.map((m: { title: string }) => m.title)).toEqual(['alice 4', 'alice 3']);
      expect(first.body.messages[0]).toEqual({
        id: a[4]!.id,
        title: 'alice 4',
        body: 'body 4',
        metadata: { n: 4 },
        createdAt: '2026-04-01T10:00:04.000Z',
        read: false,
        readAt: null,
      });
      const second = await agent
        .get(`/sitemsg/api/inbox?limit=2&before=${first.body.nextCursor}`)
        .expect(200);
      expect(second.body.messages.map((m: { title: string }) => m.title)).toEqual(['alice 2', 'alice 1']);
      const unread = await agent.get('/sitemsg/api/inbox?unreadOnly=true').expect(200);
      expect(unread.body.messages.map((m: { title: string }) => m.title)).toEqual([
        'alice 4',
        'alice 2',
        'alice 1',
        'alice 0',
      ]);
      expect(unread.body.nextCursor).toBeNull();
      const bobs = await signedIn(t, '2');
      const bobList = await bobs.agent.get('/sitemsg/api/inbox').expect(200);
      expect(bobList.body.messages.map((m: { title: string }) => m.title)).toEqual(['bob 0']);
    });

    it('answers 400 for a malformed limit, flag or cursor', async () => {
      const t = buildApp(kind);
      const { agent } = await signedIn(t, '1');
      for (const query of [
        'limit=-1',
        'limit=abc',
        'limit=0',
        'unreadOnly=maybe',
        'before=garbage',
        'limit=1&limit=2',
      ]) {
        const res = await agent.get(`/sitemsg/api/inbox?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error).toBe('bad_request');
      }
    });

    it('counts unread, reads one message, and hides another user’s message behind a 404', async () => {
      const t = buildApp(kind);
      const { a, b } = await seed(t);
      const { agent } = await signedIn(t, '1');
      expect((await agent.get('/sitemsg/api/inbox/unread-count').expect(200)).body).toEqual({ count: 5 });
      const own = await agent.get(`/sitemsg/api/inbox/${a[0]!.id}`).expect(200);
      expect(own.body.title).toBe('alice 0');
      const foreign = await agent.get(`/sitemsg/api/inbox/${b.id}`);
      const missing = await agent.get('/sitemsg/api/inbox/00000000-0000-7000-8000-000000000000');
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    });

    it('marks one message read with a CSRF token; another user’s is a 404 and stays unread', async () => {
      const t = buildApp(kind);
      const { a, b } = await seed(t);
      const { agent, token } = await signedIn(t, '1');
      const reads: string[] = [];
      t.sitemsg.on('inbox:read', (p) => {
        reads.push(p.inboxMessageId);
      });
      const res = await agent
        .post(`/sitemsg/api/inbox/${a[0]!.id}/read`)
        .set('x-csrf-token', token)
        .expect(200);
      expect(res.body).toEqual({ changed: true });
      expect(
        (await agent.post(`/sitemsg/api/inbox/${a[0]!.id}/read`).set('x-csrf-token', token)).body,
      ).toEqual({
        changed: false,
      });
      const foreign = await agent.post(`/sitemsg/api/inbox/${b.id}/read`).set('x-csrf-token', token);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: 'not_found' });
      expect(await t.inbox.getMessage(b.id)).toMatchObject({ read: false });
      expect(reads).toEqual([a[0]!.id]);
    });

    it('refuses state changes without a CSRF token, with a wrong one, or with another user’s', async () => {
      const t = buildApp(kind);
      const { a } = await seed(t);
      const { agent } = await signedIn(t, '1');
      const bobs = await signedIn(t, '2');
      const target = a[0]!.id;
      for (const token of [undefined, 'nonsense.token', bobs.token]) {
        const headers: Record<string, string> = token ? { 'x-csrf-token': token } : {};
        const read = await agent.post(`/sitemsg/api/inbox/${target}/read`).set(headers);
        const all = await agent.post('/sitemsg/api/inbox/read-all').set(headers);
        const del = await agent.delete(`/sitemsg/api/inbox/${target}`).set(headers);
        for (const res of [read, all, del]) {
          expect(res.status).toBe(403);
          expect(res.body.error).toBe('csrf');
        }
      }
      expect(await t.inbox.countUnread('1')).toBe(5);
      expect(await t.inbox.getMessage(target)).not.toBeNull();
    });

    it('marks all of the user’s messages read, and only theirs', async () => {
      const t = buildApp(kind);
      await seed(t);
      const { agent, token } = await signedIn(t, '1');
      const res = await agent.post('/sitemsg/api/inbox/read-all').set('x-csrf-token', token).expect(200);
      expect(res.body).toEqual({ count: 5 });
      expect(await t.inbox.countUnread('1')).toBe(0);
      expect(await t.inbox.countUnread('2')).toBe(1);
    });

    it('deletes the user’s own message; another user’s is a 404 and stays', async () => {
      const t = buildApp(kind);
      const { a, b } = await seed(t);
      const { agent, token } = await signedIn(t, '1');
      await agent.delete(`/sitemsg/api/inbox/${a[0]!.id}`).set('x-csrf-token', token).expect(204);
      expect(await t.inbox.getMessage(a[0]!.id)).toBeNull();
      expect((await agent.delete(`/sitemsg/api/inbox/${a[0]!.id}`).set('x-csrf-token', token)).status).toBe(
        404,
      );
      const foreign = await agent.delete(`/sitemsg/api/inbox/${b.id}`).set('x-csrf-token', token);
      expect(foreign.status).toBe(404);
      expect(await t.inbox.getMessage(b.id)).not.toBeNull();
    });

    it('shows messages the engine delivered through the inbox messenger', async () => {
      const t = buildApp(kind);
      await t.sitemsg.scheduleMessages('Your export is ready', t.sitemsg.recipients('inbox', { id: 1 }));
      await t.sitemsg.sendScheduledMessages();
      const { agent } = await signedIn(t, '1');
      const list = await agent.get('/sitemsg/api/inbox').expect(200);
      expect(list.body.messages).toHaveLength(1);
      expect(list.body.messages[0]).toMatchObject({
        title: 'Your export is ready',
        metadata: { messageType: 'plain' },
      });
    });
  });
}
