// A reply the database cannot store (an SMTP server answering with a NUL in its text) must fail
// its own dispatch only: the recipients already delivered in the same batch never get the mail
// again. Through the SMTP messenger over a real socket, on PostgreSQL, PGlite and the memory store.
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSitemsg, EmailTextMessage, ManualClock, MemoryStore } from '@sitemsg/core';
import type { Store } from '@sitemsg/core/plugin';
import { SmtpMessenger } from '@sitemsg/messenger-smtp';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { PgliteStore } from '../src/pglite.js';
import { dropSchema, pgUrl, uniqueSchema } from './support/schema.js';

/**
 * A scripted SMTP peer on a real socket that answers `550 5.1.1 user<NUL>unknown` to RCPT TO for
 * `poison@…` and records who each accepted mail went to. (The smtp-server package, since 3.21,
 * replaces control characters in its own replies, so it cannot produce this answer; other servers
 * and proxies do.)
 */
async function startServer(): Promise<{ port: number; received: string[]; stop: () => Promise<void> }> {
  const received: string[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let rcpts: string[] = [];
    const reply = (line: string): void => void socket.write(`${line}\r\n`);
    reply('220 poison.test ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          received.push(...rcpts);
          rcpts = [];
          reply('250 2.0.0 queued');
          continue;
        }
        const command = line.slice(0, 4).toUpperCase();
        if (command === 'EHLO' || command === 'HELO') reply('250 poison.test');
        else if (command === 'MAIL' || command === 'RSET' || command === 'NOOP') {
          if (command !== 'NOOP') rcpts = [];
          reply('250 2.1.0 ok');
        } else if (command === 'RCPT') {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (address.startsWith('poison')) reply('550 5.1.1 user\u0000unknown');
          else {
            rcpts.push(address);
            reply('250 2.1.5 ok');
          }
        } else if (command === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (command === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let pglite: PgliteStore;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sitemsg-poison-'));
  pglite = new PgliteStore({ dataDir: join(dir, 'db') });
  await pglite.init();
});

afterAll(async () => {
  await pglite?.close();
  await rm(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<Store>][] = [
  ['memory', async () => new MemoryStore()],
  [
    'PostgreSQL',
    async () => {
      const schema = uniqueSchema('poison');
      onTestFinished(() => dropSchema(pgUrl(), schema));
      return new PostgresStore({ connectionString: pgUrl() }, { schema, listen: false });
    },
  ],
  ['PGlite', async () => pglite],
];

describe.each(stores)('an SMTP reply the store cannot hold, on %s', (_name, openStore) => {
  it('fails the poisoned dispatch with a readable reason; each good recipient gets exactly one mail', async () => {
    const smtp = await startServer();
    onTestFinished(smtp.stop);
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const messenger = new SmtpMessenger({ host: '127.0.0.1', port: smtp.port, from: 'shop@example.com' });
    const store = await openStore();
    const sitemsg = createSitemsg({ store, clock, messengers: [messenger], leaseMs: 5000 });
    onTestFinished(() => (store === pglite ? messenger.close() : sitemsg.close()));
    const to = sitemsg.recipients('smtp', ['good1@example.org', 'poison@example.org', 'good2@example.org']);
    const [scheduled] = await sitemsg.scheduleMessages(new EmailTextMessage('Hi', 'Hello'), to);
    for (let round = 0; round < 4; round++) {
      await sitemsg.sendScheduledMessages();
      clock.advance(3_600_000); // past every lease and back-off
    }
    expect(smtp.received.sort()).toEqual(['good1@example.org', 'good2@example.org']);
    const dispatches = await sitemsg.store.listDispatches({ messageId: scheduled!.message.id });
    expect(dispatches.filter((d) => d.status === 'processing')).toEqual([]);
    const poisoned = dispatches.find((d) => d.address === 'poison@example.org')!;
    expect(poisoned.status).toBe('failed');
    expect(poisoned.lastError).toContain('550 5.1.1 user\ufffdunknown');
    expect(dispatches.filter((d) => d.status === 'sent')).toHaveLength(2);
  });
});
