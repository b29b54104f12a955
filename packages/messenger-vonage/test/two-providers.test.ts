/**
 * Twilio and Vonage registered side by side as two messengers of one application's SMS: both are
 * medium `sms`, so a STOP received through either provider's webhook suppresses the number on the
 * other (and a START through either lifts it). Over real HTTP: express-views mounts both webhooks,
 * and each messenger sends to its own local fake.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSitemsg, ManualClock, MemoryStore, PlainTextMessage, type Sitemsg } from '@sitemsg/core';
import { sitemsgRouter } from '@sitemsg/express-views';
import { createTwilioWebhookHandler, TwilioMessenger } from '@sitemsg/messenger-twilio';
import { FakeTwilio } from '@sitemsg/messenger-twilio/testing';
import express from 'express';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVonageWebhookHandler, VonageMessenger } from '../src/index.js';
import { FakeVonage, signedInbound } from '../src/testing.js';
import { API_KEY, API_SECRET, FROM, SIGNATURE_SECRET } from './fixtures/setup.js';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-token-0123456789abcdef';
const NUMBER = '+447911123456';

let sitemsg: Sitemsg;
let clock: ManualClock;
let twilioFake: FakeTwilio;
let vonageFake: FakeVonage;
let server: Server;
let base: string;

beforeEach(async () => {
  twilioFake = await new FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start();
  vonageFake = await new FakeVonage(API_KEY, API_SECRET).start();
  clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
  sitemsg = createSitemsg({
    store: new MemoryStore(),
    clock,
    siteUrl: 'https://shop.example.com',
    messengers: [
      new TwilioMessenger({
        alias: 'sms',
        primary: true,
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        from: '+14155550100',
        defaultRegion: 'GB',
        baseUrl: twilioFake.url,
      }),
      new VonageMessenger({
        alias: 'sms_backup',
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        from: FROM,
        restHost: vonageFake.url,
        defaultRegion: 'GB',
      }),
    ],
  });
  const app = express();
  app.use(
    sitemsgRouter(sitemsg, {
      webhooks: {
        twilio: createTwilioWebhookHandler({ authToken: AUTH_TOKEN, sitemsg, messenger: 'sms' }),
        vonage: createVonageWebhookHandler({
          signatureSecret: SIGNATURE_SECRET,
          sitemsg,
          messenger: 'sms_backup',
          clock,
        }),
      },
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sitemsg/webhooks`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sitemsg.close();
  await twilioFake.close();
  await vonageFake.close();
});

/** An incoming SMS as Twilio posts it to the number's webhook, signed with the auth token. */
async function twilioIncoming(from: string, body: string): Promise<number> {
  const url = `${base}/twilio`;
  const params = {
    AccountSid: ACCOUNT_SID,
    Body: body,
    From: from,
    MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
    SmsStatus: 'received',
    To: '+14155550100',
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return res.status;
}

/** An inbound SMS as Vonage posts it (JSON), signed with the signature secret. */
async function vonageInbound(msisdn: string, text: string): Promise<number> {
  const params = signedInbound(msisdn, text, SIGNATURE_SECRET, Math.floor(clock.now() / 1000));
  const res = await fetch(`${base}/vonage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  return res.status;
}

async function scheduleTo(messenger: string, text: string): Promise<number> {
  const [result] = await sitemsg.scheduleMessages(
    new PlainTextMessage(text),
    sitemsg.recipients(messenger, NUMBER),
  );
  return result!.dispatches.length;
}

describe('Twilio and Vonage together', () => {
  it('register as sms and sms_backup, resolve the same user to the same E.164 number, and send independently', async () => {
    const user = { id: 3, phone: '07911 123456' };
    expect(sitemsg.recipients('sms', user)[0]!.address).toBe(NUMBER);
    expect(sitemsg.recipients('sms_backup', user)[0]!.address).toBe(NUMBER);
    await sitemsg.scheduleMessages(
      new PlainTextMessage('Backup route.'),
      sitemsg.recipients('sms_backup', user),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(vonageFake.accepted.map((a) => [a.to, a.callback])).toEqual([
      ['447911123456', 'https://shop.example.com/sitemsg/webhooks/vonage'],
    ]);
    expect(twilioFake.accepted).toEqual([]);
  });

  it('a STOP through Twilio’s webhook suppresses the number on Vonage: at scheduling and for what was already scheduled', async () => {
    expect(await scheduleTo('sms_backup', 'Scheduled before the STOP.')).toBe(1);
    expect(await twilioIncoming(NUMBER, 'STOP')).toBe(200);
    expect(await scheduleTo('sms_backup', 'After the STOP.')).toBe(0);
    expect(await scheduleTo('sms', 'After the STOP.')).toBe(0);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, skipped: 1 });
    expect(vonageFake.requests).toEqual([]);
    expect(twilioFake.requests).toEqual([]);
    // START through Vonage lifts it for both.
    expect(await vonageInbound('447911123456', 'START')).toBe(204);
    expect(await scheduleTo('sms', 'Welcome back.')).toBe(1);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(twilioFake.accepted.map((a) => a.to)).toEqual([NUMBER]);
  });

  it('a STOP through Vonage’s webhook suppresses the number on Twilio', async () => {
    expect(await vonageInbound('447911123456', 'stop')).toBe(204);
    expect(await scheduleTo('sms', 'Not sent.')).toBe(0);
    expect(await scheduleTo('sms_backup', 'Not sent either.')).toBe(0);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0 });
    expect(twilioFake.requests).toEqual([]);
  });
});
