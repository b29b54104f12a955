/**
 * Malformed percent-encoding in a route parameter (`%E0%A4%A`) makes Express throw a URIError while
 * matching. Every route answers it in its own format, and no answer ever carries a stack trace.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PIXEL } from '../src/tracking-pixel.js';
import { buildApp, storeKinds } from './app.js';

const [memory] = storeKinds('malformed');
const BAD = '%E0%A4%A';

/** An answer that shows the internals: a stack frame, the exception's name, or Express's own decoding message. */
function leaks(text: string): boolean {
  return /\n\s+at |URIError|Failed to decode/.test(text);
}

describe('malformed percent-encoding', () => {
  it('the mark-read pixel answers the pixel', async () => {
    const t = buildApp(memory!);
    for (const path of [`/sitemsg/mark-read/${BAD}/1/x`, `/sitemsg/mark-read/1/1/${BAD}`]) {
      const res = await request(t.app).get(path).buffer(true);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Buffer.compare(res.body as Buffer, PIXEL)).toBe(0);
    }
  });

  it('the unsubscribe page answers an HTML 400 page (GET, POST and one-click POST)', async () => {
    const t = buildApp(memory!);
    const path = `/sitemsg/unsubscribe/${BAD}/1/x`;
    for (const res of [
      await request(t.app).get(path),
      await request(t.app).post(path),
      await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click'),
    ]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('This link is not valid');
      expect(leaks(res.text)).toBe(false);
    }
  });

  it('the inbox API answers JSON 400 on every route with an id', async () => {
    const t = buildApp(memory!);
    const agent = request.agent(t.app);
    await agent.get('/login/1');
    const token = (await agent.get('/sitemsg/api/csrf-token')).body.token as string;
    for (const res of [
      await agent.get(`/sitemsg/api/inbox/${BAD}`),
      await agent.post(`/sitemsg/api/inbox/${BAD}/read`).set('x-csrf-token', token),
      await agent.delete(`/sitemsg/api/inbox/${BAD}`).set('x-csrf-token', token),
    ]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: 'bad_request', message: 'The request could not be read.' });
    }
  });

  it('the webhook mount answers JSON 400', async () => {
    const t = buildApp(memory!, { router: { webhooks: { sendgrid: async () => ({ status: 204 }) } } });
    const res = await request(t.app).post(`/sitemsg/webhooks/${BAD}`).send('[]');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'bad_request', message: 'The request could not be read.' });
  });

  it('no route leaks a stack trace, whatever is malformed', async () => {
    const t = buildApp(memory!, { router: { webhooks: { sendgrid: async () => ({ status: 204 }) } } });
    const agent = request.agent(t.app);
    await agent.get('/login/1');
    const paths = [
      `/sitemsg/unsubscribe/${BAD}/1/x`,
      `/sitemsg/unsubscribe/1/${BAD}/x`,
      `/sitemsg/unsubscribe/1/1/${BAD}`,
      `/sitemsg/unsubscribe/1/1/x?expires=${BAD}`,
      `/sitemsg/mark-read/${BAD}/1/x`,
      `/sitemsg/mark-read/1/1/x?expires=${BAD}`,
      `/sitemsg/preferences/${BAD}`,
      `/sitemsg/preferences?saved=${BAD}`,
      `/sitemsg/api/inbox?before=${BAD}`,
      `/sitemsg/api/inbox/${BAD}`,
      `/sitemsg/api/inbox/${BAD}/read`,
      `/sitemsg/api/inbox/read-all/${BAD}`,
      `/sitemsg/api/csrf-token/${BAD}`,
      `/sitemsg/health/${BAD}`,
      `/sitemsg/webhooks/${BAD}`,
      `/sitemsg/${BAD}`,
    ];
    for (const path of paths) {
      for (const method of ['get', 'post', 'delete'] as const) {
        const res = await agent[method](path);
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        expect(leaks(res.text ?? ''), `${method} ${path}: ${res.text}`).toBe(false);
      }
    }
  });
});
