import { createHmac } from 'node:crypto';
import { createSitemsg, EmailTextMessage, MemoryStore } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookMessenger } from '../src/index.js';
import { FakeWebhookService } from './fixtures/fake-webhook-service.js';

let service: FakeWebhookService;
afterEach(() => service?.stop());

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z, in unix seconds

async function engine(options: { secret?: string } = {}) {
  service = await new FakeWebhookService().start();
  service.clock = () => NOW;
  const webhook = new WebhookMessenger({
    baseUrl: service.url,
    secret: options.secret ?? service.secret,
    now: () => NOW,
  });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [webhook] });
  return { sitemsg, webhook };
}

describe('WebhookMessenger on the wire', () => {
  it('posts a signed JSON body with the dispatch id as Idempotency-Key', async () => {
    const { sitemsg } = await engine();
    const [result] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Deploy finished', 'main is live.'),
      sitemsg.recipients('webhook', { id: 1, chatHandle: '@ada' }),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    const dispatchId = result!.dispatches[0]!.id;
    const [request] = service.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['idempotency-key']).toBe(dispatchId);
    expect(JSON.parse(request!.body)).toEqual({
      recipient: '@ada',
      text: 'main is live.',
      title: 'Deploy finished',
      dispatch_id: dispatchId,
    });
    const digest = createHmac('sha256', service.secret).update(`${NOW}.${request!.body}`).digest('hex');
    expect(request?.headers['x-webhook-signature']).toBe(`t=${NOW},v1=${digest}`);
  });

  it('keeps a message for later when the signature is refused, and never shows the secret', async () => {
    const wrong = 'not-the-right-secret-0123456789';
    const { sitemsg } = await engine({ secret: wrong });
    await sitemsg.scheduleMessages('x', sitemsg.recipients('webhook', '@ada'));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 0 });
    const [dispatch] = await sitemsg.store.listDispatches({ status: 'error' });
    expect(dispatch?.lastError).toContain('HTTP 401 bad_signature');
    expect(dispatch?.lastError).not.toContain(wrong);
  });

  it('fails a deleted handle at once and retries a rate-limited one', async () => {
    const { sitemsg } = await engine();
    service.failAddress('@gone', 'permanent');
    service.failAddress('@busy', 'retryable');
    await sitemsg.scheduleMessages('x', sitemsg.recipients('webhook', ['@gone', '@busy', '@ok']));
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 1, error: 1, failed: 1, skipped: 0 });
    const [failed] = await sitemsg.store.listDispatches({ status: 'failed' });
    expect(failed).toMatchObject({ address: '@gone' });
    expect(failed?.lastError).toContain('410 recipient_gone');
  });

  it('refuses bad options when constructed', () => {
    expect(() => new WebhookMessenger({ baseUrl: 'hooks.example.com', secret: 'x'.repeat(16) })).toThrow(
      ConfigurationError,
    );
    expect(() => new WebhookMessenger({ baseUrl: 'https://hooks.example.com', secret: 'short' })).toThrow(
      /at least 16 characters/,
    );
  });
});
