import { createSitemsg, EmailTextMessage, ManualClock } from '@sitemsg/core';
import { ConfigurationError, type SitemsgEventMap } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSendgridWebhookHandler,
  type SendgridDeliveredEvent,
  type SendgridWebhookOptions,
  verifySendgridSignature,
} from '../src/index.js';
import { type Rig, rig } from './fixtures/setup.js';
import { signedHeaders, signingKeys, WebhookApp } from './fixtures/webhook-server.js';

const keys = signingKeys();
const NOW = new Date('2026-03-01T12:00:00Z');
const TIMESTAMP = String(NOW.getTime() / 1000);

type Feedback = SitemsgEventMap['feedback:recorded'];

interface Captured {
  readonly feedback: Feedback[];
  readonly delivered: SendgridDeliveredEvent[];
  readonly engineDelivered: SitemsgEventMap['dispatch:delivered'][];
}

let app: WebhookApp | undefined;
let r: Rig | undefined;
afterEach(async () => {
  await app?.close();
  await r?.close();
  app = undefined;
  r = undefined;
});

/** The handler mounted on a real HTTP server; the engine records what was emitted. */
async function mounted(
  extra: Partial<SendgridWebhookOptions> = {},
): Promise<{ url: string; clock: ManualClock } & Captured> {
  const clock = new ManualClock(NOW);
  const sitemsg = createSitemsg();
  const captured: Captured = { feedback: [], delivered: [], engineDelivered: [] };
  sitemsg.on('feedback:recorded', (e) => {
    captured.feedback.push(e);
  });
  sitemsg.on('dispatch:delivered', (e) => {
    captured.engineDelivered.push(e);
  });
  app = new WebhookApp(
    createSendgridWebhookHandler({
      publicKey: keys.publicKeyBase64,
      sitemsg,
      clock,
      onDelivered: (e) => {
        captured.delivered.push(e);
      },
      ...extra,
    }),
  );
  return { url: await app.start(), clock, ...captured };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers });
}

const EVENTS = [
  {
    email: 'gone@example.org',
    timestamp: 1772366400,
    event: 'bounce',
    type: 'bounce',
    status: '5.1.1',
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    bounce_classification: 'Invalid Address',
    sg_event_id: 'ev-1',
    sg_message_id: 'msg-1.filter0001',
    dispatch_id: '11',
    message_id: '3',
  },
  {
    email: 'busy@example.org',
    timestamp: 1772366401,
    event: 'bounce',
    type: 'blocked',
    reason: 'unable to get mx info',
    sg_event_id: 'ev-2',
    dispatch_id: '12',
    message_id: '3',
  },
  {
    email: 'unsub@example.org',
    timestamp: 1772366402,
    event: 'dropped',
    reason: 'Unsubscribed Address',
    sg_event_id: 'ev-3',
    dispatch_id: '13',
    message_id: '3',
  },
  {
    email: 'ok@example.org',
    timestamp: 1772366403,
    event: 'delivered',
    response: '250 OK',
    sg_event_id: 'ev-4',
    sg_message_id: 'msg-1.filter0001.4',
    dispatch_id: '14',
    message_id: '3',
  },
  { email: 'ok@example.org', timestamp: 1772366404, event: 'open', sg_event_id: 'ev-5' },
  { email: 'other@example.org', timestamp: 1772366405, event: 'bounce', type: 'bounce', reason: 'not ours' },
];

describe('SendGrid event webhook', () => {
  it("verifies SendGrid's own published signature vector (the scheme matches theirs)", () => {
    // From @sendgrid/eventwebhook's test suite: a key, signature and timestamp SendGrid produced.
    const publicKey =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==';
    const signature =
      'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=';
    const payload = JSON.stringify({
      category: 'example_payload',
      event: 'test_event',
      message_id: 'message_id',
    });
    expect(verifySendgridSignature(publicKey, payload, signature, '1588788367')).toBe(true);
    expect(verifySendgridSignature(publicKey, 'payload', signature, '1588788367')).toBe(false);
    expect(verifySendgridSignature(publicKey, payload, signature, '1588788368')).toBe(false);
    expect(verifySendgridSignature(keys.publicKeyBase64, payload, signature, '1588788367')).toBe(false);
    expect(verifySendgridSignature(publicKey, payload, 'bm90IGEgc2lnbmF0dXJl', '1588788367')).toBe(false);
  });

  it('records bounce, dropped, delivered and open events as feedback, and delivered also goes to onDelivered', async () => {
    const site = await mounted();
    const body = JSON.stringify(EVENTS);
    const res = await post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    expect(res.status).toBe(200);
    expect(app!.answers).toEqual([
      { status: 200, json: { recorded: 6, ignored: 0, duplicates: 0, failed: 0 } },
    ]);
    // This engine sent none of them: each is feedback about its address (suppressed or not).
    expect(site.feedback.map((f) => [f.kind, f.address, f.bounce, f.providerCode, f.suppressed])).toEqual([
      ['bounced', 'gone@example.org', 'hard', '5.1.1', true],
      ['bounced', 'busy@example.org', 'soft', null, false],
      ['bounced', 'unsub@example.org', 'hard', null, true],
      ['delivered', 'ok@example.org', null, null, false],
      ['read', 'ok@example.org', null, null, false],
      ['bounced', 'other@example.org', 'hard', null, true],
    ]);
    expect(site.feedback[0]!.at).toEqual(new Date(1772366400 * 1000));
    expect(site.delivered).toEqual([
      {
        address: 'ok@example.org',
        dispatchId: '14',
        messageId: '3',
        providerMessageId: 'msg-1.filter0001.4',
        response: '250 OK',
        at: new Date(1772366403 * 1000),
      },
    ]);
    expect(site.engineDelivered).toEqual([
      { dispatchId: null, address: 'ok@example.org', messenger: 'sendgrid', at: new Date(1772366403 * 1000) },
    ]);
  });

  it('refuses a bad signature, an altered body and missing headers with a SignatureError, emitting nothing', async () => {
    const site = await mounted();
    const body = JSON.stringify(EVENTS);
    const other = signingKeys();
    const forged = await post(site.url, body, signedHeaders(other.privateKey, body, TIMESTAMP));
    const altered = await post(
      site.url,
      body.replace('gone@', 'kept@'),
      signedHeaders(keys.privateKey, body, TIMESTAMP),
    );
    const shifted = await post(site.url, body, {
      ...signedHeaders(keys.privateKey, body, TIMESTAMP),
      'X-Twilio-Email-Event-Webhook-Timestamp': String(Number(TIMESTAMP) + 1),
    });
    const unsigned = await post(site.url, body, { 'Content-Type': 'application/json' });
    expect([forged.status, altered.status, shifted.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect(app!.answers[0]!.json).toEqual({
      error: 'signature',
      message: expect.stringMatching(
        /^\[sitemsg\] \[sendgrid\] event webhook refused: the signature does not match/,
      ),
    });
    expect(app!.answers[3]!.json?.message).toMatch(/signature or timestamp header is missing/);
    expect(site.feedback).toEqual([]);
    expect(site.delivered).toEqual([]);
  });

  it('refuses a correctly signed body that is not a JSON array of events with a ValidationError', async () => {
    const site = await mounted();
    const body = '{"event":"bounce"}';
    const res = await post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    expect(res.status).toBe(400);
    const notJson = await post(site.url, 'not json', signedHeaders(keys.privateKey, 'not json', TIMESTAMP));
    expect(notJson.status).toBe(400);
    expect(app!.answers[1]!.json).toEqual({
      error: 'bad_request',
      message: '[sitemsg] [sendgrid] event webhook body is not a JSON array of events.',
    });
    expect(site.feedback).toEqual([]);
  });

  it('refuses a day-old signed request and one from the future: 5 minutes each way by default', async () => {
    const site = await mounted({ publicKey: keys.publicKeyPem });
    const body = JSON.stringify(EVENTS.slice(0, 1));
    const at = (offsetSeconds: number) =>
      post(site.url, body, signedHeaders(keys.privateKey, body, String(Number(TIMESTAMP) + offsetSeconds)));
    expect((await at(-86_400)).status).toBe(401);
    expect(app!.answers[0]!.json?.message).toMatch(/the signed timestamp is older than 300 s/);
    expect((await at(301)).status).toBe(401);
    expect(app!.answers[1]!.json?.message).toMatch(/more than 300 s in the future/);
    expect((await at(-301)).status).toBe(401);
    expect(site.feedback).toEqual([]);
    expect((await at(-300)).status).toBe(200);
    // The clock moves on: the same signed request, replayed later, is refused.
    const headers = signedHeaders(keys.privateKey, body, TIMESTAMP);
    site.clock.advance(301_000);
    expect((await post(site.url, body, headers)).status).toBe(401);
    expect(site.feedback).toHaveLength(1);
  });

  it('takes a configured replay window, and refuses a timestamp that is not whole seconds', async () => {
    const site = await mounted({ toleranceSeconds: 3600 });
    const body = JSON.stringify(EVENTS.slice(0, 1));
    const signed = (ts: string) => post(site.url, body, signedHeaders(keys.privateKey, body, ts));
    expect((await signed(String(Number(TIMESTAMP) - 1800))).status).toBe(200);
    expect((await signed(String(Number(TIMESTAMP) + 3601))).status).toBe(401);
    expect((await signed(`${TIMESTAMP}.5`)).status).toBe(401);
    expect(app!.answers[2]!.json?.message).toMatch(/not a number of seconds/);
  });

  it('a listener that throws mid-batch: 500, and SendGrid’s retry runs only what failed', async () => {
    let failNext = true;
    const logger = { lines: [] as string[], error: (m: string) => logger.lines.push(m) };
    const site = await mounted({
      logger,
      onDelivered: (e) => {
        if (failNext) {
          failNext = false;
          throw new Error('audit database down');
        }
        site.delivered.push(e);
      },
    });
    const body = JSON.stringify(EVENTS);
    const first = await post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    expect(first.status).toBe(500);
    expect(app!.answers[0]!.json).toEqual({
      error: 'listener_failed',
      message: expect.stringContaining('1 event(s) could not be processed'),
    });
    expect(logger.lines).toEqual([
      expect.stringMatching(/^\[sitemsg\] \[sendgrid\] event ev-4 \(delivered\) could not be recorded/),
    ]);
    expect(site.feedback.map((f) => `${f.kind} ${f.address}`)).toEqual([
      'bounced gone@example.org',
      'bounced busy@example.org',
      'bounced unsub@example.org',
      'read ok@example.org',
      'bounced other@example.org',
    ]);
    expect(site.engineDelivered).toEqual([]);

    // SendGrid posts the same batch again a little later, signed with the time of the retry.
    site.clock.advance(60_000);
    const retryAt = String(Number(TIMESTAMP) + 60);
    const retry = await post(site.url, body, signedHeaders(keys.privateKey, body, retryAt));
    expect(retry.status).toBe(200);
    // ev-1..3 and ev-5 were remembered; the last bounce has no sg_event_id, so it cannot be recognised.
    expect(app!.answers[1]!.json).toEqual({ recorded: 2, ignored: 0, duplicates: 4, failed: 0 });
    expect(site.feedback.slice(5).map((f) => `${f.kind} ${f.address}`)).toEqual([
      'delivered ok@example.org',
      'bounced other@example.org',
    ]);
    expect(site.delivered.map((d) => d.dispatchId)).toEqual(['14']);
    expect(site.engineDelivered.map((d) => d.address)).toEqual(['ok@example.org']);

    // A third copy (SendGrid's duplicates) changes nothing.
    const again = await post(site.url, body, signedHeaders(keys.privateKey, body, retryAt));
    expect(again.status).toBe(200);
    expect(site.engineDelivered).toHaveLength(1);
    expect(site.feedback).toHaveLength(8);
  });

  it('skips a redelivery that arrives while the first delivery is still being processed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const site = await mounted({
      onDelivered: async () => {
        entered();
        await gate;
      },
    });
    const body = JSON.stringify([EVENTS[3]]);
    const headers = signedHeaders(keys.privateKey, body, TIMESTAMP);
    const first = post(site.url, body, headers);
    await inside;
    const second = await post(site.url, body, headers);
    expect(second.status).toBe(200);
    expect(app!.answers[0]!.json).toMatchObject({ recorded: 0, duplicates: 1 });
    release();
    expect((await first).status).toBe(200);
    expect(site.engineDelivered).toHaveLength(1);
  });

  it('remembers at most rememberEventIds ids, forgetting the oldest first', async () => {
    const site = await mounted({ rememberEventIds: 2 });
    const one = (id: string) => {
      const body = JSON.stringify([{ ...EVENTS[0], sg_event_id: id }]);
      return post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    };
    for (const id of ['a', 'b', 'c', 'c', 'b', 'a']) expect((await one(id)).status).toBe(200);
    // a, b, c processed; c and b remembered; a was forgotten when c came, so it runs again.
    expect(app!.answers.map((a) => a.json?.duplicates)).toEqual([0, 0, 0, 1, 1, 0]);
    expect(site.feedback).toHaveLength(4);
  });

  it('answers 405 to anything but a POST', async () => {
    const site = await mounted();
    const res = await fetch(site.url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('rejects a bad key or bad options at creation', () => {
    const sitemsg = createSitemsg();
    const publicKey = keys.publicKeyBase64;
    expect(() => createSendgridWebhookHandler({ publicKey: 'not a key', sitemsg })).toThrow(
      ConfigurationError,
    );
    expect(() => createSendgridWebhookHandler({ publicKey, sitemsg, toleranceSeconds: 0 })).toThrow(
      /toleranceSeconds/,
    );
    expect(() => createSendgridWebhookHandler({ publicKey, sitemsg, rememberEventIds: -1 })).toThrow(
      /rememberEventIds/,
    );
    expect(() => createSendgridWebhookHandler({ publicKey, sitemsg, maxAgeSeconds: 60 } as never)).toThrow(
      /maxAgeSeconds was replaced by toleranceSeconds/,
    );
    expect(() => createSendgridWebhookHandler({ publicKey, sitemsg, tolerance: 60 } as never)).toThrow(
      /unknown webhook option "tolerance"/,
    );
  });

  it('maps a bounce back to the dispatch that the messenger sent, through custom_args, and suppresses the address', async () => {
    r = await rig();
    const bounced: Feedback[] = [];
    r.sitemsg.on('feedback:recorded', (e) => {
      bounced.push(e);
    });
    const [scheduled] = await r.sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      r.sitemsg.recipients('sendgrid', 'gone@example.org'),
    );
    await r.sitemsg.sendScheduledMessages();
    const accepted = r.fake.accepted[0]!;
    // SendGrid merges custom_args into each event it posts.
    const body = JSON.stringify([
      {
        email: accepted.address,
        event: 'bounce',
        type: 'bounce',
        reason: '550 unknown user',
        ...accepted.customArgs,
      },
    ]);
    app = new WebhookApp(
      createSendgridWebhookHandler({ publicKey: keys.publicKeyBase64, sitemsg: r.sitemsg }),
    );
    const url = await app.start();
    // Signed now (the rig's clock and the handler's are the system's here).
    const now = String(Math.floor(Date.now() / 1000));
    expect((await post(url, body, signedHeaders(keys.privateKey, body, now))).status).toBe(200);
    const dispatchId = scheduled!.dispatches[0]!.id;
    expect(bounced.map((f) => [f.kind, f.address, f.dispatch?.id, f.suppressed])).toEqual([
      ['bounced', 'gone@example.org', dispatchId, true],
    ]);
    expect((await r.sitemsg.store.listFeedback(dispatchId)).map((f) => [f.kind, f.bounce, f.detail])).toEqual(
      [['bounced', 'hard', '550 unknown user']],
    );
    const [next] = await r.sitemsg.scheduleMessages(
      new EmailTextMessage('Again', 'Hello'),
      r.sitemsg.recipients('sendgrid', ['gone@example.org', 'kept@example.org']),
    );
    expect(next!.dispatches.map((d) => d.address)).toEqual(['kept@example.org']);
  });
});
