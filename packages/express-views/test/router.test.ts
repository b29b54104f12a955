import { createSitemsg, MemoryStore } from '@sitemsg/core';
import { MemoryInboxStore } from '@sitemsg/inbox';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sitemsgRouter } from '../src/index.js';
import {
  alice,
  buildApp,
  CSRF_SECRET,
  csrfFromHtml,
  Newsletter,
  pathOf,
  RecordingEmail,
  storeKinds,
} from './app.js';

const [memory] = storeKinds('router');
const csrf = { secret: CSRF_SECRET, secureCookie: false };

describe('router options', () => {
  it('tells when there is nothing to choose', async () => {
    const app = express();
    app.use(sitemsgRouter(createSitemsg(), { getUser: () => ({ id: 7 }), csrf }));
    const page = await request(app).get('/sitemsg/preferences').expect(200);
    expect(page.text).toContain('There are no notifications to choose from.');
  });

  it('validates its options when built', () => {
    const sitemsg = createSitemsg();
    const getUser = () => null;
    expect(() => sitemsgRouter(sitemsg, { csrf } as never)).toThrow(/getUser\(req\) is required/);
    expect(() => sitemsgRouter(sitemsg, { getUser, csrf: { secret: 'short' } })).toThrow(/csrf.secret/);
    expect(() => sitemsgRouter(sitemsg, { getUser } as never)).toThrow(/csrf.secret/);
    expect(() => sitemsgRouter(sitemsg, { getUser, csrf, basePath: 'sitemsg' })).toThrow(/basePath/);
    expect(() => sitemsgRouter(sitemsg, { getUser, csrf, basePath: '/' })).toThrow(/basePath/);
    expect(() => sitemsgRouter(sitemsg, { getUser, csrf, basPath: '/x' } as never)).toThrow(
      /unknown option "basPath"/,
    );
    expect(() => sitemsgRouter({} as never, { getUser, csrf })).toThrow(/needs the engine/);
    expect(() => sitemsgRouter(sitemsg, { getUser, csrf, sendgridEvents: () => null } as never)).toThrow(
      /sendgridEvents option was replaced by webhooks: \{ sendgrid: createSendgridWebhookHandler/,
    );
    expect(() => sitemsgRouter(sitemsg, { webhooks: { SendGrid: async () => ({ status: 200 }) } })).toThrow(
      /"SendGrid" is not a provider name/,
    );
    expect(() => sitemsgRouter(sitemsg, { webhooks: { sendgrid: 'yes' as never } })).toThrow(
      /webhooks.sendgrid must be a handler/,
    );
    expect(() => sitemsgRouter(sitemsg, { health: { readiness: {} as never } })).toThrow(
      /health.readiness.guard\(req\) is required/,
    );
    expect(() =>
      sitemsgRouter(sitemsg, { health: { readiness: { guard: () => true, cacheMs: -1 } } }),
    ).toThrow(/cacheMs/);
  });

  it('serves every route under a custom basePath matching the engine’s linkBasePath', async () => {
    const t = buildApp(memory!, {
      engine: { linkBasePath: '/notifications' },
      router: { basePath: '/notifications' },
    });
    await t.sitemsg.scheduleMessages('hi', t.sitemsg.recipients('email', alice));
    await t.sitemsg.sendScheduledMessages();
    const [sent] = t.email.sent;
    expect(sent?.markReadUrl).toContain('/notifications/mark-read/');
    expect((await request(t.app).get(pathOf(sent?.markReadUrl))).headers['content-type']).toBe('image/gif');
    expect((await request(t.app).get('/notifications/health')).status).toBe(200);
    expect((await request(t.app).get('/notifications/preferences')).status).toBe(401);
    expect((await request(t.app).get('/sitemsg/health')).status).toBe(404);
  });

  it('works mounted under a prefix, and leaves the inbox API out without an inbox', async () => {
    const sitemsg = createSitemsg({ messageTypes: [Newsletter], messengers: [new RecordingEmail()] });
    const app = express();
    app.use('/app', sitemsgRouter(sitemsg, { getUser: () => ({ id: 7, email: 'x@y.test' }), csrf }));
    const agent = request.agent(app);
    const page = await agent.get('/app/sitemsg/preferences').expect(200);
    expect(page.text).toContain('action="/app/sitemsg/preferences"');
    const saved = await agent
      .post('/app/sitemsg/preferences')
      .type('form')
      .send(`_csrf=${csrfFromHtml(page.text)}&pref=newsletter%7Cemail`)
      .expect(303);
    expect(saved.headers.location).toBe('/app/sitemsg/preferences?saved=1');
    expect((await request(app).get('/app/sitemsg/api/inbox')).status).toBe(404);
  });

  it('passes errors it does not own to the application', async () => {
    const sitemsg = createSitemsg();
    const app = express();
    const logged: string[] = [];
    app.use(
      sitemsgRouter(sitemsg, {
        logger: { error: (m) => logged.push(m) },
        getUser: () => {
          throw new Error('session store down');
        },
        csrf,
      }),
    );
    const seen: string[] = [];
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(error.message);
      res.status(500).send('app error page');
    });
    const res = await request(app).get('/sitemsg/preferences');
    expect(res.status).toBe(500);
    expect(seen).toEqual(['session store down']);
    // Routes that do not act for a signed-in user never ask for one.
    expect((await request(app).get('/sitemsg/health')).status).toBe(200);
    expect((await request(app).get('/sitemsg/mark-read/m/d/t')).headers['content-type']).toBe('image/gif');
    // The engine has no secret: the pixel still answers, and the logger hears why nothing was marked.
    expect(logged).toEqual([
      expect.stringMatching(/mark-read failed: ConfigurationError: .*createSitemsg\(\{ secret \}\)/),
    ]);
  });

  it('answers a malformed JSON body with 400', async () => {
    const t = buildApp(memory!);
    const agent = request.agent(t.app);
    await agent.get('/login/1');
    const token = (await agent.get('/sitemsg/api/csrf-token')).body.token as string;
    const res = await agent
      .post('/sitemsg/api/inbox/read-all')
      .set('x-csrf-token', token)
      .set('Content-Type', 'application/json')
      .send('{"oops');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });

  it('reports a failing mark-read to the logger and still returns the pixel', async () => {
    const errors: string[] = [];
    const store = new MemoryStore();
    const t = buildApp(
      { name: 'failing', sitemsgStore: () => store, inboxStore: () => new MemoryInboxStore() },
      { router: { logger: { error: (m) => errors.push(m) } } },
    );
    await t.sitemsg.scheduleMessages('hi', t.sitemsg.recipients('email', alice));
    await t.sitemsg.sendScheduledMessages();
    store.markRead = () => Promise.reject(new Error('write failed'));
    const res = await request(t.app).get(pathOf(t.email.sent[0]?.markReadUrl));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(errors).toEqual(['[sitemsg] [express-views] mark-read failed: Error: write failed']);
  });
});
