/** What goes over the wire to Twilio's Messages API, and what each answer becomes on the dispatch. */
import { MessageType, PlainTextMessage, type RenderContext } from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { twilioError } from '../src/testing.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  CALLBACK_URL,
  FROM,
  NUMBERS,
  type Rig,
  rig,
  SERVICE_SID,
} from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

async function schedule(text: string, to: readonly string[]) {
  const [scheduled] = await t.sitemsg.scheduleMessages(
    new PlainTextMessage(text),
    t.sitemsg.recipients('twilio', [...to]),
  );
  return scheduled!;
}

describe('TwilioMessenger on the wire', () => {
  it('posts a form to the Messages resource with Basic auth, To, From, Body and StatusCallback, and keeps the SID', async () => {
    t = await rig();
    const scheduled = await schedule('Your order shipped.', [NUMBERS[0]]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 0 });
    const [request] = t.fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.form).toEqual({
      To: NUMBERS[0],
      From: FROM,
      Body: 'Your order shipped.',
      StatusCallback: CALLBACK_URL,
    });
    const dispatch = await t.store.getDispatch(scheduled.dispatches[0]!.id);
    expect(dispatch?.status).toBe('sent');
    expect(dispatch?.providerMessageId).toBe(t.fake.accepted[0]!.sid);
    expect(dispatch?.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends through a Messaging Service instead of a From number', async () => {
    t = await rig({ messagingServiceSid: SERVICE_SID });
    await schedule('Via the service.', [NUMBERS[1]]);
    await t.sitemsg.sendScheduledMessages();
    expect(t.fake.requests[0]!.form).toEqual({
      To: NUMBERS[1],
      MessagingServiceSid: SERVICE_SID,
      Body: 'Via the service.',
      StatusCallback: CALLBACK_URL,
    });
  });

  it('sends WhatsApp addresses from the whatsapp: sender', async () => {
    t = await rig();
    await schedule('On WhatsApp.', ['whatsapp:+447911123456']);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(t.fake.requests[0]!.form).toMatchObject({
      To: 'whatsapp:+447911123456',
      From: `whatsapp:${FROM}`,
    });
  });

  it('keeps the billed segments (Twilio’s num_segments) and the encoding on the dispatch as its receipt', async () => {
    t = await rig();
    const receiptOf = async (text: string) => {
      const scheduled = await schedule(text, [NUMBERS[2]]);
      await t.sitemsg.sendScheduledMessages();
      return (await t.store.getDispatch(scheduled.dispatches[0]!.id))?.receipt;
    };
    expect(await receiptOf('a'.repeat(160))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(await receiptOf('a'.repeat(161))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(await receiptOf('ü€'.repeat(40))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(await receiptOf('Привет '.repeat(12))).toEqual({ segments: 2, encoding: 'UCS-2' });
    // What Twilio answers is what it bills, whatever this package counts; a price when it gives one.
    t.fake.script.push({
      status: 201,
      body: {
        sid: `SM${'0'.repeat(32)}`,
        status: 'queued',
        num_segments: '3',
        price: '-0.02370',
        price_unit: 'USD',
      },
    });
    expect(await receiptOf('Short.')).toEqual({
      segments: 3,
      encoding: 'GSM-7',
      price: '-0.02370',
      currency: 'USD',
    });
  });

  it('sends the StatusCallback of the siteUrl and linkBasePath; an explicit URL wins, false sends none', async () => {
    const callbackOf = async (options: Parameters<typeof rig>[0], engine: Parameters<typeof rig>[1] = {}) => {
      t = await rig(options, engine);
      await schedule('Callback?', [NUMBERS[0]]);
      await t.sitemsg.sendScheduledMessages();
      const form = t.fake.requests[0]!.form;
      await t.close();
      return form.StatusCallback;
    };
    expect(await callbackOf({}, { linkBasePath: '/notify' })).toBe(
      'https://shop.example.com/notify/webhooks/twilio',
    );
    expect(await callbackOf({ alias: 'sms' })).toBe(CALLBACK_URL);
    expect(await callbackOf({ statusCallbackUrl: 'https://hooks.example.net/twilio?k=1' })).toBe(
      'https://hooks.example.net/twilio?k=1',
    );
    expect(await callbackOf({ statusCallbackUrl: false })).toBeUndefined();
    // Without a siteUrl there is no public address to give Twilio.
    expect(await callbackOf({}, { siteUrl: null })).toBeUndefined();
    t = await rig();
  });

  it('refuses a text over maxSegments at scheduling, with the count and the encoding in the reason', async () => {
    t = await rig({ maxSegments: 2 });
    await expect(schedule('😀'.repeat(70), [NUMBERS[0]])).rejects.toThrow(
      /takes 3 SMS segments \(UCS-2, 70 characters\) and this messenger allows at most 2 \(maxSegments\)/,
    );
    expect(t.fake.requests).toEqual([]);
  });

  it('fails a per-dispatch text over maxSegments permanently at send, without a request', async () => {
    t = await rig({ maxSegments: 1 });
    class PerRecipient extends MessageType {
      static override alias = 'per_recipient';
      static override compile(r: RenderContext): CompiledMessage {
        return { text: `Hello ${r.recipient} ${'x'.repeat(200)}` };
      }
    }
    t.sitemsg.registerMessageTypes(PerRecipient);
    await t.sitemsg.scheduleMessages(new PerRecipient({}), t.sitemsg.recipients('twilio', NUMBERS[0]));
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, failed: 1 });
    const [failed] = await t.store.listDispatches({ status: 'failed' });
    expect(failed!.lastError).toMatch(/SMS segments .* at most 1 \(maxSegments\)/);
    expect(t.fake.requests).toEqual([]);
  });

  it('answers 401 with one request for the batch: retryable, logged once without the token, health unhealthy', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.outage = 'auth';
    await schedule('Ten messages.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3, failed: 0 });
    expect(t.fake.requests).toHaveLength(1);
    const errors = await t.store.listDispatches({ status: 'error' });
    expect(errors).toHaveLength(3);
    expect(errors[0]!.lastError).toMatch(/Twilio refused the configuration \(401 20003: Authenticate/);
    expect(t.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    const everything = JSON.stringify([t.logger.lines, errors]);
    expect(everything).not.toContain(AUTH_TOKEN);
    expect(everything).not.toContain(Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'));
    // No account fetch: the send already showed the credentials are refused.
    expect((await t.messenger.healthCheck()).status).toBe('unhealthy');
    expect(t.fake.accountFetches).toBe(0);
  });

  it('honours Retry-After on a 429 and stops the batch there', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.script.push({
      ...twilioError(429, 20429, 'Too Many Requests'),
      headers: { 'Retry-After': '120' },
    });
    await schedule('Rate limited.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3 });
    expect(t.fake.requests).toHaveLength(1);
    for (const d of await t.store.listDispatches({ status: 'error' })) {
      expect(d.nextAttemptAt!.getTime() - t.clock.now()).toBeGreaterThanOrEqual(120_000);
    }
  });

  it('retries a 503 after its Retry-After without stopping the others', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.refused.set(NUMBERS[1], {
      ...twilioError(503, 20500, 'Service Unavailable'),
      headers: { 'Retry-After': '30' },
    });
    await schedule('Partly down.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, error: 1 });
    const [retried] = await t.store.listDispatches({ status: 'error' });
    expect(retried!.address).toBe(NUMBERS[1]);
    expect(retried!.nextAttemptAt!.getTime() - t.clock.now()).toBeGreaterThanOrEqual(30_000);
  });

  it('turns an unreachable API into retryable errors for the batch', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.outage = 'network';
    await schedule('Nobody there.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3 });
    expect(t.fake.requests).toHaveLength(0);
    const [one] = await t.store.listDispatches({ status: 'error' });
    expect(one!.lastError).toMatch(
      /could not reach Twilio \((ECONNRESET|socket hang up|ERR_BAD_RESPONSE|network error)/,
    );
  });
});
