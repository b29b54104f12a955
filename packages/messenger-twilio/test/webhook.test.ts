/**
 * The webhook handler over real HTTP, mounted by express-views at /sitemsg/webhooks/twilio, signed
 * as Twilio signs (the SDK's own signature function), and end to end with the messenger.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlainTextMessage } from '@sitemsg/core';
import { sitemsgRouter } from '@sitemsg/express-views';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioWebhookHandler, type TwilioInboundMessage } from '../src/index.js';
import { ACCOUNT_SID, AUTH_TOKEN, FROM, NUMBERS, type Rig, rig } from './fixtures/setup.js';

let t: Rig;
let server: Server;
let hook: string;
const inbound: TwilioInboundMessage[] = [];

async function mount(): Promise<void> {
  const handler = createTwilioWebhookHandler({
    authToken: AUTH_TOKEN,
    sitemsg: t.sitemsg,
    onInbound: (m) => void inbound.push(m),
  });
  const app = express();
  app.use(sitemsgRouter(t.sitemsg, { webhooks: { twilio: handler } }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sitemsg/webhooks/twilio`;
}

afterEach(async () => {
  inbound.length = 0;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

/** Posts form parameters as Twilio does: signed with the auth token (or with `token`). */
async function post(params: Record<string, string>, token = AUTH_TOKEN): Promise<Response> {
  return fetch(hook, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(token, hook, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

function statusCallback(sid: string, status: string, to: string, errorCode?: string): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    From: FROM,
    MessageSid: sid,
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    To: to,
    ...(errorCode && { ErrorCode: errorCode }),
  };
}

function incoming(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    Body: body,
    From: from,
    MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
    NumMedia: '0',
    NumSegments: '1',
    SmsMessageSid: 'SMx',
    SmsSid: 'SMx',
    SmsStatus: 'received',
    To: FROM,
    ...extra,
  };
}

async function sendOne(to: string): Promise<{ dispatchId: string; sid: string }> {
  const [scheduled] = await t.sitemsg.scheduleMessages(
    new PlainTextMessage('Your code is 1234.'),
    t.sitemsg.recipients('twilio', to),
  );
  expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
  const dispatchId = scheduled!.dispatches[0]!.id;
  return { dispatchId, sid: (await t.store.getDispatch(dispatchId))!.providerMessageId! };
}

describe('Twilio webhooks through express-views', () => {
  it('schedule → send (StatusCallback set) → callback delivered → the dispatch shows delivered', async () => {
    t = await rig();
    await mount();
    const { dispatchId, sid } = await sendOne(NUMBERS[0]);
    expect(t.fake.accepted[0]!.statusCallback).toBe('https://shop.example.com/sitemsg/webhooks/twilio');
    const delivered: unknown[] = [];
    t.sitemsg.on('dispatch:delivered', (e) => void delivered.push(e));
    for (const status of ['queued', 'sent']) {
      const res = await post(statusCallback(sid, status, NUMBERS[0]));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ recorded: false });
    }
    const res = await post(statusCallback(sid, 'delivered', NUMBERS[0]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recorded: true });
    expect((await t.store.listFeedback(dispatchId)).map((f) => f.kind)).toEqual(['delivered']);
    expect(delivered).toHaveLength(1);
    // Twilio retries a callback it thinks failed: recorded once.
    await post(statusCallback(sid, 'delivered', NUMBERS[0]));
    expect(await t.store.listFeedback(dispatchId)).toHaveLength(1);
  });

  it('maps undelivered / failed ErrorCodes and WhatsApp read to feedback', async () => {
    t = await rig();
    await mount();
    const dead = await sendOne(NUMBERS[0]);
    await post(statusCallback(dead.sid, 'undelivered', NUMBERS[0], '30005'));
    const off = await sendOne(NUMBERS[1]);
    await post(statusCallback(off.sid, 'undelivered', NUMBERS[1], '30003'));
    const wa = await sendOne('whatsapp:+447911123456');
    await post(statusCallback(wa.sid, 'read', 'whatsapp:+447911123456'));
    const [invalid] = await t.store.listFeedback(dead.dispatchId);
    expect(invalid).toMatchObject({ kind: 'address-invalid', providerCode: '30005' });
    const [soft] = await t.store.listFeedback(off.dispatchId);
    expect(soft).toMatchObject({ kind: 'bounced', bounce: 'soft', providerCode: '30003' });
    expect((await t.store.listFeedback(wa.dispatchId)).map((f) => f.kind)).toEqual(['read']);
    expect((await t.store.getDispatch(wa.dispatchId))!.readStatus).toBe('read');
    // The dead number is suppressed; the switched-off phone is not.
    const next = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Again'),
      t.sitemsg.recipients('twilio', [NUMBERS[0], NUMBERS[1]]),
    );
    expect(next[0]!.dispatches.map((d) => d.address)).toEqual([NUMBERS[1]]);
  });

  it('inbound STOP → the next scheduling to that number is suppressed; START lifts it', async () => {
    t = await rig({ defaultRegion: 'US' });
    await mount();
    const stop = await post(incoming(NUMBERS[2], ' stop '));
    expect(stop.status).toBe(200);
    expect(stop.headers.get('content-type')).toBe('text/xml');
    expect(await stop.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(inbound[0]).toMatchObject({ from: NUMBERS[2], keyword: 'opted-out' });
    const blocked = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Sale!'),
      t.sitemsg.recipients('twilio', '(415) 555-2673'),
    );
    expect(blocked[0]!.dispatches).toEqual([]);
    // Advanced Opt-Out names the keyword itself (a custom one here).
    await post(incoming(NUMBERS[2], 'Subscribe me again', { OptOutType: 'START' }));
    const back = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Welcome back'),
      t.sitemsg.recipients('twilio', NUMBERS[2]),
    );
    expect(back[0]!.dispatches).toHaveLength(1);
    // Any other text is only handed to onInbound.
    await post(incoming(NUMBERS[0], 'Stop please'));
    expect(inbound.at(-1)).toMatchObject({ body: 'Stop please', keyword: null });
  });

  it('refuses a wrongly signed, unsigned or altered request with 403 and records nothing', async () => {
    t = await rig();
    await mount();
    const heard: unknown[] = [];
    t.sitemsg.on('feedback:recorded', (f) => void heard.push(f));
    expect((await post(incoming(NUMBERS[0], 'STOP'), 'another-token-0123456789abcdef')).status).toBe(403);
    const params = incoming(NUMBERS[0], 'STOP');
    const unsigned = await fetch(hook, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(403);
    const altered = await fetch(hook, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, hook, params),
      },
      body: new URLSearchParams({ ...params, From: NUMBERS[1] }).toString(),
    });
    expect(altered.status).toBe(403);
    const body = await altered.text();
    expect(body).not.toContain(AUTH_TOKEN);
    expect(heard).toEqual([]);
    const still = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('x'),
      t.sitemsg.recipients('twilio', [NUMBERS[0], NUMBERS[1]]),
    );
    expect(still[0]!.dispatches).toHaveLength(2);
  });
});
