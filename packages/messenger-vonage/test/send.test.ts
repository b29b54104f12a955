/** What goes over the wire to Vonage's SMS API, and what each answer becomes on the dispatch. */
import { PlainTextMessage } from '@sitemsg/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  API_SECRET,
  CALLBACK_URL,
  FROM,
  NUMBERS,
  outgoing,
  type Rig,
  rig,
} from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

async function schedule(text: string, to: readonly string[]) {
  const [scheduled] = await t.sitemsg.scheduleMessages(
    new PlainTextMessage(text),
    t.sitemsg.recipients('vonage', [...to]),
  );
  return scheduled!;
}

describe('VonageMessenger on the wire', () => {
  it('posts JSON to /sms/json with Basic auth, to without +, client-ref and callback, and keeps the message-id', async () => {
    t = await rig();
    const scheduled = await schedule('Your order shipped.', [NUMBERS[0]]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 0 });
    const [request] = t.fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/sms/json');
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`,
    );
    expect(request!.headers['content-type']).toBe('application/json');
    const dispatchId = scheduled.dispatches[0]!.id;
    expect(request!.json).toEqual({
      to: NUMBERS[0].slice(1),
      from: FROM,
      text: 'Your order shipped.',
      'client-ref': dispatchId,
      callback: CALLBACK_URL,
      'status-report-req': true,
    });
    const dispatch = await t.store.getDispatch(dispatchId);
    expect(dispatch?.status).toBe('sent');
    expect(dispatch?.providerMessageId).toBe(t.fake.accepted[0]!.messageIds[0]);
  });

  it('sends text that needs it as type unicode, and keeps the parts Vonage bills and their price on the dispatch', async () => {
    t = await rig();
    const gsm = await schedule(`Café ${'a'.repeat(200)}`, [NUMBERS[0]]);
    const ucs = await schedule('Привет! 👋', [NUMBERS[1]]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2 });
    const bodies = t.fake.requests.map((r) => r.json!);
    expect(bodies.find((b) => b.to === NUMBERS[0].slice(1))).not.toHaveProperty('type');
    expect(bodies.find((b) => b.to === NUMBERS[1].slice(1))).toMatchObject({
      type: 'unicode',
      text: 'Привет! 👋',
    });
    // message-count and the parts' message-price (0.0333 each) as the fake answered them.
    expect((await t.store.getDispatch(gsm.dispatches[0]!.id))?.receipt).toEqual({
      segments: 2,
      encoding: 'GSM-7',
      price: '0.06660000',
    });
    expect((await t.store.getDispatch(ucs.dispatches[0]!.id))?.receipt).toEqual({
      segments: 1,
      encoding: 'UCS-2',
      price: '0.03330000',
    });
  });

  it('sends the callback of the siteUrl; an explicit statusCallbackUrl wins, false or no siteUrl sends none', async () => {
    const callbackOf = async (options: Parameters<typeof rig>[0], engine: Parameters<typeof rig>[1] = {}) => {
      t = await rig(options, engine);
      await schedule('Callback?', [NUMBERS[0]]);
      await t.sitemsg.sendScheduledMessages();
      const json = t.fake.requests[0]!.json!;
      await t.close();
      return [json.callback, json['status-report-req']];
    };
    expect(await callbackOf({})).toEqual([CALLBACK_URL, true]);
    expect(await callbackOf({ statusCallbackUrl: 'https://hooks.example.net/dlr' })).toEqual([
      'https://hooks.example.net/dlr',
      true,
    ]);
    expect(await callbackOf({ statusCallbackUrl: false })).toEqual([undefined, undefined]);
    expect(await callbackOf({}, { siteUrl: null })).toEqual([undefined, undefined]);
    t = await rig();
  });

  it('refuses a text over maxSegments at scheduling', async () => {
    t = await rig({ maxSegments: 1 });
    await expect(schedule('😀'.repeat(40), [NUMBERS[0]])).rejects.toThrow(/takes 2 SMS segments \(UCS-2/);
    expect(t.fake.requests).toEqual([]);
  });

  it('status 4 (bad credentials): one request for the batch, retryable, logged once without the secret, unhealthy', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.outage = 'auth';
    await schedule('Three messages.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3, failed: 0 });
    expect(t.fake.requests).toHaveLength(1);
    const errors = await t.store.listDispatches({ status: 'error' });
    expect(errors[0]!.lastError).toMatch(
      /Vonage refused the configuration \(status 4 Invalid Credentials: Bad Credentials\)/,
    );
    expect(t.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    const everything = JSON.stringify([t.logger.lines, errors]);
    expect(everything).not.toContain(API_SECRET);
    expect((await t.messenger.healthCheck()).status).toBe('unhealthy');
    expect(t.fake.balanceFetches).toBe(0);
  });

  it('status 1 (throttled) waits throttleRetryMs and stops the batch; HTTP 429 honours Retry-After', async () => {
    t = await rig({ concurrency: 1, throttleRetryMs: 5000 });
    t.fake.refused.set(NUMBERS[0].slice(1), {
      status: '1',
      errorText: 'Throughput Rate Exceeded - please wait [ 30 ] and retry',
    });
    await schedule('Throttled.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3 });
    expect(t.fake.requests).toHaveLength(1);
    for (const d of await t.store.listDispatches({ status: 'error' })) {
      expect(d.nextAttemptAt!.getTime() - t.clock.now()).toBeGreaterThanOrEqual(5000);
    }
    t.fake.refused.clear();
    t.fake.script.push({
      status: 429,
      headers: { 'Retry-After': '90' },
      body: { title: 'Too Many Requests' },
    });
    const [limited] = await t.messenger.send([outgoing('r', NUMBERS[1])]);
    expect(limited!.result.ok).toBe(false);
    if (!limited!.result.ok) expect(limited!.result.error.retryAfterMs).toBe(90_000);
  });

  it('maps every refused recipient alone: status 6 is address-invalid and suppresses, the others go out', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.refused.set(NUMBERS[1].slice(1), { status: '6', errorText: 'Unroutable message - rejected' });
    await schedule('One bad number.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, failed: 1 });
    const [failed] = await t.store.listDispatches({ status: 'failed' });
    expect((await t.store.listFeedback(failed!.id))[0]).toMatchObject({
      kind: 'address-invalid',
      providerCode: '6',
    });
    const next = await schedule('Again.', [NUMBERS[1], NUMBERS[2]]);
    expect(next.dispatches.map((d) => d.address)).toEqual([NUMBERS[2]]);
  });

  it('turns an unreachable API into retryable errors for the batch', async () => {
    t = await rig({ concurrency: 1 });
    t.fake.outage = 'network';
    await schedule('Nobody there.', [...NUMBERS]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 3 });
    const [one] = await t.store.listDispatches({ status: 'error' });
    expect(one!.lastError).toMatch(/could not reach Vonage/);
    expect(one!.lastError).not.toContain(API_SECRET);
  });
});
