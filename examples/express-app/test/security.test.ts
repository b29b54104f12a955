/** What people copy from the demo must be safe to copy: redirects, sign-in CSRF, secrets, health. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigurationError } from '@sitemsg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../src/safe-next.js';
import { resolveSecret } from '../src/secret.js';
import { Client, csrfField, HEALTH_TOKEN, type RunningDemo, signIn, startDemo } from './demo.js';

let run: RunningDemo;
beforeAll(async () => {
  run = await startDemo('security');
});
afterAll(async () => {
  await run?.stop();
});

const OFF_SITE = [
  '//evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  'https://evil.example',
  'http:evil.example',
  '/\t/evil.example',
  '/.//evil.example',
  '/a/..//evil.example',
  'javascript:alert(1)',
  '',
];

describe('sign-in redirects (no open redirect)', () => {
  for (const next of OFF_SITE) {
    it(`POST /login?next=${JSON.stringify(next)} lands on this site`, async () => {
      // As a query parameter (a link someone sent)...
      const visitor = new Client(run.url);
      const page = await (await visitor.request('/')).text();
      const res = await visitor.form(`/login?next=${encodeURIComponent(next)}`, {
        _csrf: csrfField(page),
        user: '1',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
      // ...and as the form's field.
      const field = await signIn(run.url, '2', next);
      expect(field.res.status).toBe(303);
      expect(field.res.headers.get('location')).toBe('/');
    });
  }

  it('keeps a path on this site, with its query', async () => {
    const { res } = await signIn(run.url, '1', '/sitemsg/preferences?x=1');
    expect(res.headers.get('location')).toBe('/sitemsg/preferences?x=1');
    expect(safeNext('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('carries a safe next from the sign-in page into its form, and escapes it', async () => {
    const page = await (await new Client(run.url).request('/?next=%2Fsitemsg%2Fpreferences')).text();
    expect(page).toContain('<input type="hidden" name="next" value="/sitemsg/preferences">');
    const evil = await (await new Client(run.url).request('/?next=%2F%2Fevil.example')).text();
    expect(evil).toContain('<input type="hidden" name="next" value="/">');
  });
});

describe('sign-in CSRF', () => {
  it('refuses a sign-in without the sign-in page’s token (login CSRF), setting no session', async () => {
    const visitor = new Client(run.url);
    const res = await visitor.form('/login', { user: '1' });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('demo_user='))).toBe(false);
    const text = await res.text();
    expect(text).toContain('The form expired');
    expect(text).not.toMatch(/\n\s+at /);
    // Another site's form: a token it made up, no CSRF cookie.
    const forged = await new Client(run.url).form('/login', { user: '1', _csrf: 'a.b' });
    expect(forged.status).toBe(403);
    expect((await visitor.request('/sitemsg/api/inbox/unread-count')).status).toBe(401);
  });
});

describe('the secret', () => {
  it('has no default: production without SITEMSG_SECRET refuses to start', () => {
    const lines: string[] = [];
    expect(() => resolveSecret({ NODE_ENV: 'production' }, (l) => lines.push(l))).toThrow(ConfigurationError);
    expect(() => resolveSecret({ NODE_ENV: 'production' }, (l) => lines.push(l))).toThrow(
      /SITEMSG_SECRET is not set/,
    );
    expect(() => resolveSecret({ SITEMSG_SECRET: 'short' }, (l) => lines.push(l))).toThrow(/at least 32/);
    expect(lines).toEqual([]);
  });

  it('in development, makes a random secret per process and says so', () => {
    const lines: string[] = [];
    const a = resolveSecret({ NODE_ENV: 'development' }, (l) => lines.push(l));
    const b = resolveSecret({}, (l) => lines.push(l));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    expect(a).not.toBe('demo-secret-change-me-0123456789');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/SITEMSG_SECRET is not set: using a random secret for this process only/);
    const given = 'x'.repeat(32);
    expect(resolveSecret({ SITEMSG_SECRET: given, NODE_ENV: 'production' }, () => {})).toBe(given);
  });

  it('main.ts exits before starting anything when production has no secret', async () => {
    const cwd = join(import.meta.dirname, '..');
    const env = { PATH: process.env.PATH, NODE_ENV: 'production' };
    const failed = await promisify(execFile)(
      join(cwd, 'node_modules', '.bin', 'tsx'),
      ['--conditions=@sitemsg/source', 'src/main.ts'],
      { cwd, env, timeout: 20_000 },
    ).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/SITEMSG_SECRET is not set/);
  });
});

describe('health', () => {
  it('readiness is behind the monitoring token; liveness names nothing', async () => {
    const anyone = new Client(run.url);
    expect((await anyone.request('/sitemsg/health/ready')).status).toBe(403);
    const wrong = await anyone.request('/sitemsg/health/ready', {
      headers: { authorization: 'Bearer guess' },
    });
    expect(wrong.status).toBe(403);
    const res = await anyone.request('/sitemsg/health/ready', {
      headers: { authorization: `Bearer ${HEALTH_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; components: Record<string, unknown> };
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.components).sort()).toEqual([
      'inbox',
      'messenger:inbox',
      'messenger:sms',
      'messenger:smtp',
      'store:postgres',
    ]);
  });
});
