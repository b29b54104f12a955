import { createServer, type Server, type Socket } from 'node:net';
import { EmailTextMessage } from '@sitemsg/core';
import { createTransport } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMessenger } from '../src/index.js';
import { engineFor, messengerFor } from './helpers.js';
import { SmtpSink, until } from './sink.js';

let sink: SmtpSink;
let messenger: SmtpMessenger | undefined;

afterEach(async () => {
  await messenger?.close();
  messenger = undefined;
  await sink?.stop();
});

describe('connections', () => {
  it('sends 1,000 dispatches in 10 batches over the pool, not 1,000 connections, and closes it on close()', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink, { maxConnections: 3, maxMessages: 1000 });
    const { sitemsg } = engineFor(messenger);
    const addresses = Array.from({ length: 1000 }, (_, i) => `user${i}@example.org`);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Batch', 'Hello'),
      sitemsg.recipients('smtp', addresses),
    );
    let batches = 0;
    const counts = await sitemsg.sendScheduledMessages({ batchSize: 100, onBatch: () => batches++ });
    expect(counts).toMatchObject({ sent: 1000, error: 0, failed: 0 });
    expect(batches).toBe(10);
    expect(sink.arrived).toHaveLength(1000);
    // One verification connection at the first warm-up, then at most maxConnections pooled ones for all batches.
    expect(sink.connections).toBeLessThanOrEqual(1 + 3);
    expect(sink.openSockets).toBeGreaterThan(0);
    await sitemsg.close();
    await until(() => sink.openSockets === 0, 'the pooled connections to close');
  }, 30_000); // a thousand mails through a real server: seconds on a loaded two-core machine

  it('replaces a pooled connection after maxMessages', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink, { maxConnections: 1, maxMessages: 10 });
    const { sitemsg } = engineFor(messenger);
    const addresses = Array.from({ length: 50 }, (_, i) => `user${i}@example.org`);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Batch', 'Hello'),
      sitemsg.recipients('smtp', addresses),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 50 });
    expect(sink.connections).toBe(1 + 5);
  });

  it('opens one connection per message, one at a time, with pool: false', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink, { pool: false });
    const { sitemsg } = engineFor(messenger);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['a@example.org', 'b@example.org', 'c@example.org']),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 3 });
    expect(sink.connections).toBe(1 + 3);
  });

  it('sends through a transporter the application passes in, and leaves it open on close()', async () => {
    sink = await SmtpSink.start({ starttls: false });
    const transporter = createTransport({
      pool: true,
      host: '127.0.0.1',
      port: sink.port,
      maxConnections: 2,
    });
    messenger = new SmtpMessenger({ transporter, from: 'app@example.com', alias: 'smtp' });
    const { sitemsg } = engineFor(messenger);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['a@example.org', 'b@example.org']),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2 });
    expect(sink.arrived[0]!.parsed.messageId).toMatch(/^<dispatch-\d+@example\.com>$/);
    await sitemsg.close();
    // Still the application's: it keeps working after the messenger closed.
    await transporter.sendMail({ from: 'app@example.com', to: 'c@example.org', text: 'still open' });
    expect(sink.arrived).toHaveLength(3);
    transporter.close();
  });
});

describe('healthCheck', () => {
  it('is healthy when the server answers EHLO', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink);
    expect(await messenger.healthCheck()).toMatchObject({ status: 'healthy' });
  });

  it('is unhealthy, within healthTimeoutMs, when the server accepts TCP but never greets', async () => {
    sink = await SmtpSink.start({ starttls: false });
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    messenger = new SmtpMessenger({ host: '127.0.0.1', port, from: 'a@example.com', healthTimeoutMs: 200 });
    const status = await messenger.healthCheck();
    expect(status).toEqual({ status: 'unhealthy', detail: `127.0.0.1:${port}: no answer within 200 ms` });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('passes greetingTimeout to nodemailer: a server that never greets fails the check before healthTimeoutMs', async () => {
    sink = await SmtpSink.start({ starttls: false });
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    messenger = new SmtpMessenger({ host: '127.0.0.1', port, from: 'a@example.com', greetingTimeout: 100 });
    const status = await messenger.healthCheck();
    expect(status.status).toBe('unhealthy');
    expect(status.detail).toMatch(/greeting/i);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('reports healthy without checking when the transporter passed in cannot verify, and sends through it', async () => {
    sink = await SmtpSink.start({ starttls: false });
    const transporter = createTransport({ jsonTransport: true });
    messenger = new SmtpMessenger({ transporter, from: 'app@example.com' });
    expect(await messenger.healthCheck()).toEqual({
      status: 'healthy',
      detail: 'the transporter passed in cannot verify; nothing was checked',
    });
    const { sitemsg } = engineFor(messenger);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['a@example.org', 'b@example.org']),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2 });
  });
});
