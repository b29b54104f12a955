import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { inject } from 'vitest';
import { createDemoApp, type DemoApp, type DemoConfig } from '../src/app.js';
import { MailSink } from '../src/mail-sink.js';

export const HEALTH_TOKEN = 'demo-health-token';

export interface RunningDemo {
  readonly url: string;
  readonly demo: DemoApp;
  readonly sink: MailSink;
  stop(): Promise<void>;
}

/** Starts the demo as `main.ts` does, on an ephemeral port, in a schema of its own (dropped on stop). */
export async function startDemo(label: string, overrides: Partial<DemoConfig> = {}): Promise<RunningDemo> {
  const databaseUrl = inject('pgUrl');
  const schema = `t_demo_${label}_${randomBytes(4).toString('hex')}`;
  const sink = await new MailSink().start();
  let handler: DemoApp['app'] | null = null;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const demo = await createDemoApp({
    databaseUrl,
    schema,
    smtp: { host: '127.0.0.1', port: sink.port },
    siteUrl: url,
    secret: 'demo-test-secret-0123456789',
    secureCookies: false,
    healthToken: HEALTH_TOKEN,
    ...overrides,
  });
  handler = demo.app;
  return {
    url,
    demo,
    sink,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await demo.close();
      await sink.stop();
      const pool = new pg.Pool({ connectionString: databaseUrl });
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** A cookie-keeping HTTP client over fetch (what a browser without JavaScript does). */
export class Client {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  form(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return this.request(path, { method: 'POST', body });
  }
}

export function csrfField(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field');
  return match[1]!;
}

/** Signs in as the sign-in page does: its CSRF token, the chosen user and where to go next. */
export async function signIn(
  base: string,
  userId: string,
  next?: string,
): Promise<{ client: Client; res: Response }> {
  const client = new Client(base);
  const form = await (await client.request('/')).text();
  const res = await client.form('/login', {
    _csrf: csrfField(form),
    user: userId,
    ...(next !== undefined && { next }),
  });
  return { client, res };
}
