/**
 * The webhook handler over real HTTP, mounted by express-views at /sitemsg/webhooks/vonage, signed
 * as Vonage signs, and end to end with the messenger.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlainTextMessage } from '@sitemsg/core';
import { sitemsgRouter } from '@sitemsg/express-views';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createVonageWebhookHandler, type VonageInboundMessage } from '../src/index.js';
import { signedInbound, signedReceipt } from '../src/testing.js';
import { NUMBERS, type Rig, rig, SIGNATURE_SECRET } from './fixtures/setup.js';

let t: Rig;
let server: Server;
let hook: string;
const inbound: VonageInboundMessage[] = [];

async function mount(method: 'md5hash' | 'sha256hmac' = 'md5hash'): Promise<void> {
  const handler = createVonageWebhookHandler({
    signatureSecret: SIGNATURE_SECRET,
    signatureMethod: method,
    sitemsg: t.sitemsg,
    clock: t.clock,
    onInbound: (m) => void inbound.push(m),
  });
  const app = express();
  app.use(sitemsgRouter(t.sitemsg, { webhooks: { vonage: handler } }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sitemsg/webhooks/vonage`;
}

afterEach(async () => {
  inbound.length = 0;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

const now = () => Math.floor(t.clock.now() / 1000);
const postForm = (params: Record<string, string>) =>
  fetch(hook, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
const postJson = (params: Record<string, string>) =>
  fetch(hook, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
const get = (params: Record<string, string>) => fetch(`${hook}?${new URLSearchParams(params)}`);

async function sendOne(to: string, text = 'Your code is 1234.') {
  const [scheduled] = await t.sitemsg.scheduleMessages(
    new PlainTextMessage(text),
    t.sitemsg.recipients('vonage', to),
  );
  expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
  const dispatchId = scheduled!.dispatches[0]!.id;
  return { dispatchId, ids: t.fake.accepted.at(-1)!.messageIds };
}

describe('Vonage webhooks through express-views', () => {
  it('schedule → send (callback, client-ref) → receipt delivered → the dispatch shows delivered (form, JSON and GET)', async () => {
    t = await rig();
    await mount();
    const one = await sendOne(NUMBERS[0]);
    expect(t.fake.accepted[0]!.callback).toBe('https://shop.example.com/sitemsg/webhooks/vonage');
    const accepted = signedReceipt(
      { messageId: one.ids[0]!, msisdn: '447911123456', status: 'accepted', clientRef: one.dispatchId },
      SIGNATURE_SECRET,
      now(),
    );
    expect(await (await postForm(accepted)).json()).toEqual({ recorded: false });
    const res = await postForm(
      signedReceipt(
        { messageId: one.ids[0]!, msisdn: '447911123456', status: 'delivered', clientRef: one.dispatchId },
        SIGNATURE_SECRET,
        now(),
      ),
    );
    expect(res.status).toBe(200);
    expect((await t.store.listFeedback(one.dispatchId)).map((f) => f.kind)).toEqual(['delivered']);
    // A long message: each part has its own message id; the client-ref still names the dispatch.
    const two = await sendOne(NUMBERS[1], 'x'.repeat(300));
    expect(two.ids).toHaveLength(2);
    await postJson(
      signedReceipt(
        { messageId: two.ids[1]!, msisdn: '447911123457', status: 'delivered', clientRef: two.dispatchId },
        SIGNATURE_SECRET,
        now(),
      ),
    );
    expect((await t.store.listFeedback(two.dispatchId)).map((f) => f.kind)).toEqual(['delivered']);
    // Without a client-ref, the first part's message id (kept on the dispatch) finds it; GET as Vonage's default.
    const three = await sendOne(NUMBERS[2]);
    expect(
      (
        await get(
          signedReceipt(
            { messageId: three.ids[0]!, msisdn: '447911123458', status: 'failed', errCode: '9' },
            SIGNATURE_SECRET,
            now(),
          ),
        )
      ).status,
    ).toBe(200);
    // err-code 9, "Illegal Number": the user asked not to get messages from this service.
    expect((await t.store.listFeedback(three.dispatchId))[0]).toMatchObject({
      kind: 'opted-out',
      providerCode: '9',
    });
    // err-code 3, "Absent Subscriber - Permanent": the number is no longer active.
    const four = await sendOne(NUMBERS[0], 'Again.');
    await postJson(
      signedReceipt(
        {
          messageId: four.ids[0]!,
          msisdn: '447911123456',
          status: 'failed',
          errCode: '3',
          clientRef: four.dispatchId,
        },
        SIGNATURE_SECRET,
        now(),
      ),
    );
    expect((await t.store.listFeedback(four.dispatchId))[0]).toMatchObject({
      kind: 'address-invalid',
      providerCode: '3',
    });
  });

  it('inbound STOP → the next scheduling to that number is suppressed; START lifts it (sha256hmac)', async () => {
    t = await rig({ defaultRegion: 'GB' });
    await mount('sha256hmac');
    const { vonageSig } = await import('../src/testing.js');
    const sign = (p: Record<string, string>) => {
      const { sig: _s, ...rest } = p;
      return { ...rest, sig: vonageSig(rest, SIGNATURE_SECRET, 'sha256hmac') };
    };
    const stop = await postForm(sign(signedInbound('447911123458', 'Stop', SIGNATURE_SECRET, now())));
    expect(stop.status).toBe(204);
    expect(inbound[0]).toMatchObject({ from: NUMBERS[2], keyword: 'opted-out' });
    const blocked = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Sale!'),
      t.sitemsg.recipients('vonage', '07911 123458'),
    );
    expect(blocked[0]!.dispatches).toEqual([]);
    await postForm(sign(signedInbound('447911123458', 'START', SIGNATURE_SECRET, now())));
    const back = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Welcome back'),
      t.sitemsg.recipients('vonage', NUMBERS[2]),
    );
    expect(back[0]!.dispatches).toHaveLength(1);
  });

  it('refuses wrong, missing or altered signatures and stale timestamps with 401, recording nothing', async () => {
    t = await rig();
    await mount();
    const heard: unknown[] = [];
    t.sitemsg.on('feedback:recorded', (f) => void heard.push(f));
    const good = signedInbound('447911123456', 'STOP', SIGNATURE_SECRET, now());
    const wrong = signedInbound('447911123456', 'STOP', 'another-secret-0123456789', now());
    const { sig: _sig, ...unsigned } = good;
    const altered = { ...good, msisdn: '447911123457' };
    const stale = signedInbound('447911123456', 'STOP', SIGNATURE_SECRET, now() - 301);
    for (const bad of [wrong, unsigned, altered, stale]) {
      const res = await postForm(bad);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(SIGNATURE_SECRET);
    }
    expect(heard).toEqual([]);
  });
});
