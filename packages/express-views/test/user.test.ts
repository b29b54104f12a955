/** getUser must name a user by a usable id: anything else would merge every such user into one. */
import { ConfigurationError } from '@sitemsg/core/plugin';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp, storeKinds } from './app.js';

const [memory] = storeKinds('user');

const WITHOUT_ID: [string, unknown][] = [
  ['a Mongo-style { _id }', { _id: '65f0c0ffee', email: 'a@example.test' }],
  ['id: undefined', { id: undefined }],
  ["id: ''", { id: '' }],
  ['an object id', { id: { $oid: '65f0c0ffee' } }],
  ['id: NaN', { id: Number.NaN }],
  ['a bare string', 'alice'],
];

function appWith(user: unknown) {
  const logged: { message: string; error: unknown }[] = [];
  const t = buildApp(memory!, {
    router: {
      getUser: () => user as never,
      logger: { error: (message, fields) => logged.push({ message, error: fields?.error }) },
    },
  });
  return { app: t.app, logged };
}

describe('getUser', () => {
  for (const [label, user] of WITHOUT_ID) {
    it(`refuses a user without a usable id (${label}) with a 500 and a ConfigurationError in the log`, async () => {
      const { app, logged } = appWith(user);
      const page = await request(app).get('/sitemsg/preferences');
      expect(page.status).toBe(500);
      expect(page.text).not.toMatch(/\n\s+at /);
      expect(page.text).toContain('misconfigured');
      const api = await request(app).get('/sitemsg/api/inbox/unread-count');
      expect(api.status).toBe(500);
      expect(api.body).toEqual({ error: 'server_error', message: expect.stringContaining('misconfigured') });
      expect(logged).toHaveLength(2);
      expect(logged[0]!.message).toMatch(
        /^\[sitemsg\] \[express-views\] getUser\(req\) returned a user without/,
      );
      expect(ConfigurationError.isInstance(logged[0]!.error)).toBe(true);
    });
  }

  it('accepts numeric and string ids, and null for nobody', async () => {
    for (const user of [{ id: 0 }, { id: 7 }, { id: 'u-1' }]) {
      expect((await request(appWith(user).app).get('/sitemsg/preferences')).status).toBe(200);
    }
    expect((await request(appWith(null).app).get('/sitemsg/preferences')).status).toBe(401);
    expect((await request(appWith(undefined).app).get('/sitemsg/preferences')).status).toBe(401);
  });
});
