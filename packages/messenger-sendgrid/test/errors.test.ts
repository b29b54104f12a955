import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { EmailTextMessage } from '@sitemsg/core';
import type { DispatchResult } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { SendgridDeliveryError, SendgridMessenger } from '../src/index.js';
import { outgoing, RecordingLogger, type Rig, rig } from './fixtures/setup.js';

let r: Rig;
afterEach(async () => {
  await r?.close();
});

function errorOf(result: DispatchResult): SendgridDeliveryError {
  if (result.result.ok) throw new Error(`dispatch ${result.dispatchId} was sent`);
  expect(result.result.error).toBeInstanceOf(SendgridDeliveryError);
  return result.result.error as SendgridDeliveryError;
}

// Requests go one at a time here, so that scripted answers and "stops the batch" are deterministic.

/** Two contents, so two requests would be needed. */
const twoRequests = () => [
  outgoing('d-1', 'a@example.org', 'first'),
  outgoing('d-2', 'b@example.org', 'first'),
  outgoing('d-3', 'c@example.org', 'second'),
];

describe('SendGrid answers mapped to outcomes', () => {
  it('400 naming one personalization fails that recipient only and re-sends the others', async () => {
    r = await rig({ concurrency: 1 });
    r.fake.refused.set('b@example.org', 'permanent');
    const results = await r.messenger.send(twoRequests());
    const byId = new Map(results.map((x) => [x.dispatchId, x]));
    const bad = errorOf(byId.get('d-2')!);
    expect(bad.retryable).toBe(false);
    expect(bad.statusCode).toBe(400);
    expect(bad.message).toMatch(
      /^\[sitemsg\] \[sendgrid\] SendGrid refused this recipient \(400: Does not contain a valid address\. \(personalizations\.1\.to\.0\.email\)\)/,
    );
    expect(byId.get('d-1')!.result.ok).toBe(true);
    expect(byId.get('d-3')!.result.ok).toBe(true);
    expect(r.fake.requests.map((q) => q.body.personalizations.map((p) => p.to[0]!.email))).toEqual([
      ['a@example.org', 'b@example.org'],
      ['a@example.org'],
      ['c@example.org'],
    ]);
    expect(r.fake.accepted.map((a) => a.address).sort()).toEqual(['a@example.org', 'c@example.org']);
  });

  it('400 about the request as a whole fails every dispatch of that request permanently', async () => {
    r = await rig({ concurrency: 1 });
    r.fake.script.push({
      status: 400,
      body: {
        errors: [
          {
            message: 'The from address does not match a verified Sender Identity.',
            field: 'from',
            help: null,
          },
        ],
      },
    });
    const results = await r.messenger.send(twoRequests());
    const [first, second, third] = results;
    for (const x of [first!, second!]) {
      const e = errorOf(x);
      expect(e.retryable).toBe(false);
      expect(e.statusCode).toBe(400);
      expect(e.providerCode).toBe('from');
      expect(e.message).toContain('The from address does not match a verified Sender Identity.');
      expect(e.responseBody).toContain('verified Sender Identity');
    }
    expect(third!.result.ok).toBe(true);
  });

  it('401 keeps every dispatch retryable, logs one clear error, stops the batch and never shows the key', async () => {
    const wrongKey = 'SG.wrong-key.ZZZZZZZZZZZZZZZZZZZZZZZZZZZZ';
    r = await rig({ concurrency: 1 });
    const logger = new RecordingLogger();
    const messenger = new SendgridMessenger({
      apiKey: wrongKey,
      from: 'news@example.com',
      baseUrl: r.fake.url,
      logger,
      concurrency: 1,
    });
    const results = await messenger.send(twoRequests());
    expect(results).toHaveLength(3);
    for (const x of results) {
      const e = errorOf(x);
      expect(e.retryable).toBe(true);
      expect(e.configuration).toBe(true);
      expect(e.statusCode).toBe(401);
      expect(e.message).toMatch(
        /^\[sitemsg\] \[sendgrid\] SendGrid refused the API key or the sender \(401: The provided authorization grant is invalid, expired, or revoked\)\. Check apiKey/,
      );
    }
    expect(r.fake.requests).toHaveLength(1);
    expect(r.fake.requests[0]!.headers.authorization).toBe(`Bearer ${wrongKey}`);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: errorOf(results[0]!).message,
        fields: { messenger: 'sendgrid', statusCode: 401 },
      },
    ]);
    const everything = [
      ...results.map((x) => inspect(x, { depth: 20 })),
      ...results.map((x) => JSON.stringify(errorOf(x))),
      ...results.map((x) => errorOf(x).stack ?? ''),
      inspect(logger.lines, { depth: 20 }),
      inspect(messenger, { depth: 20 }),
      JSON.stringify(messenger),
    ].join('\n');
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain('wrong-key');
  });

  it('logs a refused key once per batch even when several requests were in flight', async () => {
    r = await rig({ concurrency: 1 });
    const logger = new RecordingLogger();
    const messenger = new SendgridMessenger({
      apiKey: 'SG.wrong',
      from: 'news@example.com',
      baseUrl: r.fake.url,
      logger,
    });
    r.fake.gate = 2; // both requests are sent before either is answered
    const results = await messenger.send(twoRequests());
    expect(r.fake.requests).toHaveLength(2);
    expect(results.map((x) => errorOf(x).statusCode)).toEqual([401, 401, 401]);
    expect(logger.lines).toHaveLength(1);
  });

  it.each([
    [403, { errors: [{ message: 'access forbidden', field: null }] }, /403: access forbidden/],
    [
      404,
      { errors: [{ message: 'not found', field: null }] },
      /no \/v3\/mail\/send at the configured baseUrl \(404\)/,
    ],
  ])('%i is a configuration error: retryable, logged', async (status, body, pattern) => {
    r = await rig({ concurrency: 1 });
    r.fake.script.push({ status, body });
    const results = await r.messenger.send(twoRequests());
    expect(results.map((x) => errorOf(x).retryable)).toEqual([true, true, true]);
    expect(errorOf(results[0]!).message).toMatch(pattern);
    expect(r.logger.lines.map((l) => l.level)).toEqual(['error']);
    expect(r.fake.requests).toHaveLength(1);
  });

  it('413 (nginx HTML body) is permanent', async () => {
    r = await rig({ concurrency: 1 });
    r.fake.script.push({
      status: 413,
      body: '<html><head><title>413 Request Entity Too Large</title></head></html>',
    });
    const [first] = await r.messenger.send([outgoing('d-1', 'a@example.org')]);
    const e = errorOf(first!);
    expect(e.retryable).toBe(false);
    expect(e.statusCode).toBe(413);
    expect(e.message).toContain('too large (413)');
  });

  it('429 with Retry-After is retryable, reports the wait and stops the rest of the batch', async () => {
    r = await rig({ concurrency: 1 });
    r.fake.script.push({
      status: 429,
      headers: { 'Retry-After': '30', 'X-RateLimit-Remaining': '0' },
      body: { errors: [{ field: null, message: 'too many requests' }] },
    });
    const results = await r.messenger.send(twoRequests());
    for (const x of results) {
      const e = errorOf(x);
      expect(e.retryable).toBe(true);
      expect(e.statusCode).toBe(429);
      expect(e.retryAfterMs).toBe(30_000);
      expect(e.message).toContain('SendGrid asked to wait 30 s');
    }
    expect(r.fake.requests).toHaveLength(1);
    expect(r.logger.lines).toEqual([]);
  });

  it('429 without Retry-After honours X-RateLimit-Reset; an HTTP-date Retry-After is read too', async () => {
    r = await rig({ concurrency: 1 });
    const now = r.clock.now();
    r.fake.script.push(
      {
        status: 429,
        headers: { 'X-RateLimit-Reset': String(now / 1000 + 42) },
        body: { errors: [{ message: 'too many requests' }] },
      },
      { status: 503, headers: { 'Retry-After': new Date(now + 90_000).toUTCString() } },
    );
    const [limited] = await r.messenger.send([outgoing('d-1', 'a@example.org')]);
    expect(errorOf(limited!).retryAfterMs).toBe(42_000);
    const [unavailable] = await r.messenger.send([outgoing('d-2', 'a@example.org')]);
    expect(errorOf(unavailable!)).toMatchObject({ retryable: true, statusCode: 503, retryAfterMs: 90_000 });
  });

  it('500 is retryable for its request only; the next request of the batch is still sent', async () => {
    r = await rig({ concurrency: 1 });
    r.fake.script.push({ status: 500, body: { errors: [{ message: 'internal server error' }] } });
    const results = await r.messenger.send(twoRequests());
    expect(results.map((x) => (x.result.ok ? 'sent' : errorOf(x).retryable))).toEqual([true, true, 'sent']);
    expect(errorOf(results[0]!).retryAfterMs).toBeUndefined();
    expect(errorOf(results[0]!).message).toContain('SendGrid failed (500: internal server error)');
  });

  it('a dropped connection, a closed port and a timeout are retryable network errors', async () => {
    r = await rig({ timeoutMs: 200, concurrency: 1 });
    r.fake.outage = 'network';
    const [dropped] = await r.messenger.send([outgoing('d-1', 'a@example.org')]);
    expect(errorOf(dropped!)).toMatchObject({ retryable: true, statusCode: undefined });
    expect(errorOf(dropped!).message).toMatch(/could not reach SendGrid \(ECONNRESET/);

    r.fake.outage = null;
    r.fake.hang = true;
    const [hung] = await r.messenger.send([outgoing('d-2', 'a@example.org')]);
    expect(errorOf(hung!).message).toMatch(/could not reach SendGrid \(ECONNABORTED/);

    const port = await closedPort();
    const offline = new SendgridMessenger({
      apiKey: 'SG.x',
      from: 'news@example.com',
      baseUrl: `http://127.0.0.1:${port}`,
    });
    const [refused] = await offline.send([outgoing('d-3', 'a@example.org')]);
    expect(errorOf(refused!)).toMatchObject({ retryable: true });
    expect(errorOf(refused!).message).toMatch(/could not reach SendGrid \(ECONNREFUSED/);
  });

  it('through the engine: a 401 leaves dispatches to retry, a 400 fails them', async () => {
    r = await rig({ concurrency: 1 });
    const errors: string[] = [];
    r.sitemsg.on('dispatch:error', (e) => {
      errors.push(e.error);
    });
    await r.sitemsg.scheduleMessages(
      new EmailTextMessage('S', 'T'),
      r.sitemsg.recipients('sendgrid', ['a@example.org', 'b@example.org']),
    );
    r.fake.outage = 'auth';
    expect(await r.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 2, failed: 0 });
    expect(errors[0]).toMatch(/SendgridDeliveryError: \[sitemsg\] \[sendgrid\] SendGrid refused the API key/);

    r.fake.outage = null;
    r.fake.refused.set('a@example.org', 'permanent');
    r.clock.advance(3_600_000);
    expect(await r.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 1 });
    expect(await r.sitemsg.store.countDispatches()).toMatchObject({ sent: 1, failed: 1, error: 0 });
  });
});

describe('healthCheck', () => {
  it('is healthy when GET /v3/scopes grants mail.send, unhealthy otherwise, and never names the key', async () => {
    r = await rig({ concurrency: 1 });
    expect(await r.messenger.healthCheck()).toEqual({ status: 'healthy' });
    r.fake.scopes = ['alerts.read'];
    expect(await r.messenger.healthCheck()).toEqual({
      status: 'unhealthy',
      detail: 'the API key lacks the mail.send scope',
    });
    r.fake.outage = 'auth';
    const refused = await r.messenger.healthCheck();
    expect(refused.status).toBe('unhealthy');
    expect(refused.detail).toMatch(/SendGrid refused the API key or the sender \(401/);
    expect(refused.detail).not.toContain('SG.test-key');
    expect(r.fake.requests).toHaveLength(0); // scopes are GETs, not recorded as mail sends
    expect((await r.sitemsg.healthCheck()).components['messenger:sendgrid']?.status).toBe('unhealthy');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
