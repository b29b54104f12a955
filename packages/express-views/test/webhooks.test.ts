/** Provider webhooks: a registry of framework-neutral handlers mounted at /webhooks/:provider. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { WebhookHandler, WebhookRequest } from '@sitemsg/core/plugin';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sitemsgRouter } from '../src/index.js';
import { buildApp, storeKinds } from './app.js';

const [memory] = storeKinds('webhooks');

/** A handler that records what it was given and answers as told. */
function recording(answer: Awaited<ReturnType<WebhookHandler>>) {
  const seen: WebhookRequest[] = [];
  const handler: WebhookHandler = async (req) => {
    seen.push(req);
    return answer;
  };
  return { handler, seen };
}

describe('provider webhooks', () => {
  it('hands each provider its request as sent: method, public URL, headers and the raw bytes', async () => {
    const sendgrid = recording({ status: 204 });
    const twilio = recording({
      status: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: '<Response></Response>',
    });
    const t = buildApp(memory!);
    const app = express();
    app.use(
      '/hooks',
      sitemsgRouter(t.sitemsg, { webhooks: { sendgrid: sendgrid.handler, twilio: twilio.handler } }),
    );
    // Bytes JSON.parse + stringify would not give back: spacing, a duplicate key, a lone byte that is not UTF-8.
    const raw = Buffer.concat([
      Buffer.from('[ {"event":"bounce", "event":"dropped"} ]  '),
      Buffer.from([0xff]),
    ]);
    // fetch over a real socket: supertest would re-serialise a Buffer sent as JSON.
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/hooks/sitemsg/webhooks/sendgrid?x=1&y=%20`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Twilio-Email-Event-Webhook-Signature': 'sig' },
      body: raw,
    });
    server.close();
    expect(res.status).toBe(204);
    expect(sendgrid.seen).toHaveLength(1);
    const [got] = sendgrid.seen;
    expect(got!.method).toBe('POST');
    expect(got!.url).toBe(`http://127.0.0.1:${port}/hooks/sitemsg/webhooks/sendgrid?x=1&y=%20`);
    expect(got!.headers['x-twilio-email-event-webhook-signature']).toBe('sig');
    expect(Buffer.from(got!.rawBody).toString('hex')).toBe(raw.toString('hex'));

    const form = await request(app)
      .post('/hooks/sitemsg/webhooks/twilio')
      .type('form')
      .send('MessageSid=SM1&MessageStatus=delivered');
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toBe('text/xml');
    expect(form.text).toBe('<Response></Response>');
    expect(Buffer.from(twilio.seen[0]!.rawBody).toString()).toBe('MessageSid=SM1&MessageStatus=delivered');
    // A provider's endpoint check (a GET) reaches the handler too, with an empty body.
    await request(app).get('/hooks/sitemsg/webhooks/twilio?hub.challenge=1').expect(200);
    expect(twilio.seen[1]!.method).toBe('GET');
    expect(twilio.seen[1]!.rawBody).toHaveLength(0);
  });

  it('gives the public URL behind a trusted proxy (what Twilio signs)', async () => {
    const twilio = recording({ status: 204 });
    const t = buildApp(memory!, { router: { webhooks: { twilio: twilio.handler } } });
    t.app.set('trust proxy', 'loopback');
    await request(t.app)
      .post('/sitemsg/webhooks/twilio')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'shop.example')
      .send('a=1')
      .expect(204);
    expect(twilio.seen[0]!.url).toBe('https://shop.example/sitemsg/webhooks/twilio');
  });

  it('answers 404 JSON for a provider nobody registered, including Object.prototype names', async () => {
    const sendgrid = recording({ status: 204 });
    const t = buildApp(memory!, { router: { webhooks: { sendgrid: sendgrid.handler } } });
    for (const name of ['twilio', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await request(t.app).post(`/sitemsg/webhooks/${name}`).send('[]');
      expect(res.status, name).toBe(404);
      expect(res.body).toEqual({
        error: 'not_found',
        message: 'No webhook handler is registered under this name.',
      });
    }
    expect((await request(buildApp(memory!).app).post('/sitemsg/webhooks/sendgrid').send('[]')).status).toBe(
      404,
    );
    expect(sendgrid.seen).toEqual([]);
  });

  it('answers 500 JSON without a stack when a handler throws, and logs it', async () => {
    const logged: string[] = [];
    const t = buildApp(memory!, {
      router: {
        webhooks: {
          broken: async () => {
            throw new Error('bug in the handler');
          },
        },
        logger: { error: (m) => logged.push(m) },
      },
    });
    const res = await request(t.app).post('/sitemsg/webhooks/broken').send('{}');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error', message: 'The webhook could not be processed.' });
    expect(logged).toEqual([
      '[sitemsg] [express-views] the broken webhook handler threw: Error: bug in the handler',
    ]);
  });

  it('refuses a body over 5 MB with 413 JSON before the handler runs', async () => {
    const big = recording({ status: 204 });
    const t = buildApp(memory!, { router: { webhooks: { big: big.handler } } });
    const res = await request(t.app)
      .post('/sitemsg/webhooks/big')
      .set('Content-Type', 'application/json')
      .send(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('bad_request');
    expect(big.seen).toEqual([]);
  });
});
