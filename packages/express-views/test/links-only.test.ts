/** An application that only sends links mounts the router without users or CSRF. */
import { createSitemsg } from '@sitemsg/core';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sitemsgRouter } from '../src/index.js';
import { alice, CSRF_SECRET, Newsletter, pathOf, RecordingEmail, SECRET } from './app.js';

function linksOnly() {
  const email = new RecordingEmail();
  const sitemsg = createSitemsg({
    secret: SECRET,
    siteUrl: 'http://127.0.0.1',
    messageTypes: [Newsletter],
    messengers: [email],
  });
  const app = express();
  app.use(sitemsgRouter(sitemsg));
  return { app, sitemsg, email };
}

describe('a router for links only', () => {
  it('serves unsubscribe and mark-read without getUser and csrf', async () => {
    const { app, sitemsg, email } = linksOnly();
    await sitemsg.scheduleMessages(
      new Newsletter({ subject: 'News', text: 'Hi' }),
      sitemsg.recipients('email', alice),
    );
    await sitemsg.sendScheduledMessages();
    const [sent] = email.sent;
    const pixel = await request(app).get(pathOf(sent?.markReadUrl));
    expect(pixel.headers['content-type']).toBe('image/gif');
    expect((await sitemsg.store.getDispatch(sent!.dispatch.id))?.readStatus).toBe('read');
    expect((await request(app).get(pathOf(sent?.unsubscribeUrl))).status).toBe(200);
    const done = await request(app).post(pathOf(sent?.unsubscribeUrl));
    expect(done.text).toContain('You have been unsubscribed');
  });

  it('leaves out the routes that need a user', async () => {
    const { app } = linksOnly();
    expect((await request(app).get('/sitemsg/preferences')).status).toBe(404);
    expect((await request(app).get('/sitemsg/api/csrf-token')).status).toBe(404);
    expect((await request(app).get('/sitemsg/health')).status).toBe(200);
  });

  it('still refuses half a user setup when built', () => {
    const sitemsg = createSitemsg();
    const csrf = { secret: CSRF_SECRET };
    expect(() => sitemsgRouter(sitemsg, { getUser: () => null })).toThrow(/csrf.secret/);
    expect(() => sitemsgRouter(sitemsg, { csrf })).toThrow(/getUser\(req\) is required/);
    expect(() => sitemsgRouter(sitemsg, { inbox: {} as never })).toThrow(/getUser\(req\) is required/);
  });
});
