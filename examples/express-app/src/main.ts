/**
 * Runs the demo: `pnpm --filter @sitemsg/example-express-app start`, then open http://127.0.0.1:3000.
 * E-mails go to a local SMTP sink that prints them (set SMTP_HOST / SMTP_PORT for a real relay).
 */
import { createServer } from 'node:http';
import { createDemoApp } from './app.js';
import { MailSink } from './mail-sink.js';
import { pushConfigFromEnv } from './push.js';
import { resolveSecret } from './secret.js';

// First, before anything starts: without a secret in production there is nothing to run.
let secret: string;
try {
  secret = resolveSecret(process.env, (line) => console.warn(line));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const siteUrl = process.env.SITE_URL ?? `http://127.0.0.1:${port}`;
let smtp = { host: process.env.SMTP_HOST ?? '', port: Number(process.env.SMTP_PORT ?? 25) };
if (!smtp.host) {
  const sink = await new MailSink(({ to, mail }) => {
    console.log(`\n--- mail to ${to.join(', ')}: ${mail.subject}\n${mail.text ?? ''}`);
  }).start();
  smtp = { host: '127.0.0.1', port: sink.port };
  console.log(`SMTP sink listening on 127.0.0.1:${sink.port}`);
}
const push = pushConfigFromEnv(process.env, siteUrl, (line) => console.warn(line));
const demo = await createDemoApp({
  databaseUrl:
    process.env.DATABASE_URL ?? process.env.SITEMSG_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  smtp,
  siteUrl,
  secret,
  secureCookies: siteUrl.startsWith('https://'),
  ...(process.env.HEALTH_TOKEN && { healthToken: process.env.HEALTH_TOKEN }),
  ...(push && { push }),
});
createServer(demo.app).listen(port, '127.0.0.1', () => console.log(`Demo shop on ${siteUrl}`));
