import {
  ConfigurationError,
  createSitemsg,
  EmailTextMessage,
  ManualClock,
  SignatureError,
  type SitemsgEventMap,
  ValidationError,
} from '@sitemsg/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSendgridEventHandler,
  type SendgridDeliveredEvent,
  type SendgridEventHandlerOptions,
  verifySendgridSignature,
} from '../src/index.js';
import { type Rig, rig } from './fixtures/setup.js';
import { signedHeaders, signingKeys, WebhookApp } from './fixtures/webhook-server.js';

const keys = signingKeys();
const NOW = new Date('2026-03-01T12:00:00Z');
const TIMESTAMP = String(NOW.getTime() / 1000);

interface Captured {
  readonly bounced: SitemsgEventMap['email:bounced'][];
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
  extra: Partial<SendgridEventHandlerOptions> = {},
): Promise<{ url: string } & Captured> {
  const sitemsg = createSitemsg();
  const captured: Captured = { bounced: [], delivered: [], engineDelivered: [] };
  sitemsg.on('email:bounced', (e) => {
    captured.bounced.push(e);
  });
  sitemsg.on('dispatch:delivered', (e) => {
    captured.engineDelivered.push(e);
  });
  app = new WebhookApp(
    createSendgridEventHandler({
      publicKey: keys.publicKeyBase64,
      sitemsg,
      onDelivered: (e) => {
        captured.delivered.push(e);
      },
      ...extra,
    }),
  );
  return { url: await app.start(), ...captured };
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

  it('turns bounce and dropped events into email:bounced and delivered into onDelivered', async () => {
    const site = await mounted();
    const body = JSON.stringify(EVENTS);
    const res = await post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    expect(res.status).toBe(204);
    expect(app!.answers).toEqual([{ status: 204, summary: { bounced: 4, delivered: 1, ignored: 1 } }]);
    expect(site.bounced).toEqual([
      {
        address: 'gone@example.org',
        dispatchId: '11',
        reason: '5.1.1 550 5.1.1 The email account that you tried to reach does not exist.',
        permanent: true,
      },
      { address: 'busy@example.org', dispatchId: '12', reason: 'unable to get mx info', permanent: false },
      { address: 'unsub@example.org', dispatchId: '13', reason: 'Unsubscribed Address', permanent: true },
      { address: 'other@example.org', dispatchId: null, reason: 'not ours', permanent: true },
    ]);
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
      {
        dispatchId: '14',
        address: 'ok@example.org',
        messenger: 'sendgrid',
        providerMessageId: 'msg-1.filter0001.4',
        at: new Date(1772366403 * 1000),
      },
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
    expect(app!.answers[0]!.error).toMatch(
      /^\[sitemsg\] \[sendgrid\] event webhook refused: the signature does not match/,
    );
    expect(app!.answers[3]!.error).toMatch(/signature or timestamp header is missing/);
    expect(site.bounced).toEqual([]);
    expect(site.delivered).toEqual([]);

    const handler = createSendgridEventHandler({ publicKey: keys.publicKeyBase64, sitemsg: createSitemsg() });
    const result = await handler(body, {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBeInstanceOf(SignatureError);
  });

  it('refuses a correctly signed body that is not a JSON array of events with a ValidationError', async () => {
    const site = await mounted();
    const body = '{"event":"bounce"}';
    const res = await post(site.url, body, signedHeaders(keys.privateKey, body, TIMESTAMP));
    expect(res.status).toBe(400);
    const handler = createSendgridEventHandler({ publicKey: keys.publicKeyBase64, sitemsg: createSitemsg() });
    const result = await handler(
      Buffer.from('not json'),
      signedHeaders(keys.privateKey, 'not json', TIMESTAMP),
    );
    expect(!result.ok && result.error).toBeInstanceOf(ValidationError);
    expect(site.bounced).toEqual([]);
  });

  it('refuses a replayed request older than maxAgeSeconds, and accepts a PEM key', async () => {
    const clock = new ManualClock(NOW);
    const site = await mounted({ publicKey: keys.publicKeyPem, maxAgeSeconds: 300, clock });
    const body = JSON.stringify(EVENTS.slice(0, 1));
    const headers = signedHeaders(keys.privateKey, body, TIMESTAMP);
    expect((await post(site.url, body, headers)).status).toBe(204);
    clock.advance(301_000);
    expect((await post(site.url, body, headers)).status).toBe(401);
    expect(app!.answers[1]!.error).toMatch(/older than 300 s/);
    expect(site.bounced).toHaveLength(1);
  });

  it('rejects a key that is not an ECDSA P-256 public key at creation', () => {
    const sitemsg = createSitemsg();
    expect(() => createSendgridEventHandler({ publicKey: 'not a key', sitemsg })).toThrow(ConfigurationError);
    expect(() =>
      createSendgridEventHandler({ publicKey: keys.publicKeyBase64, sitemsg, maxAgeSeconds: 0 }),
    ).toThrow(/maxAgeSeconds/);
  });

  it('maps a bounce back to the dispatch that the messenger sent, through custom_args', async () => {
    r = await rig();
    const bounced: SitemsgEventMap['email:bounced'][] = [];
    r.sitemsg.on('email:bounced', (e) => {
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
    app = new WebhookApp(createSendgridEventHandler({ publicKey: keys.publicKeyBase64, sitemsg: r.sitemsg }));
    const url = await app.start();
    expect((await post(url, body, signedHeaders(keys.privateKey, body, TIMESTAMP))).status).toBe(204);
    expect(bounced).toEqual([
      {
        address: 'gone@example.org',
        dispatchId: scheduled!.dispatches[0]!.id,
        reason: '550 unknown user',
        permanent: true,
      },
    ]);
  });
});
