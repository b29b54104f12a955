import { createSitemsg, MemoryStore } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoProvider, HttpDemoMessenger, startDemoProvider } from '../src/fakes.js';

let provider: DemoProvider;
afterEach(() => provider?.close());

async function engineWith(messenger: HttpDemoMessenger) {
  return createSitemsg({ store: new MemoryStore(), messengers: [messenger], workerId: 'wire-test' });
}

describe('HttpDemoMessenger on the wire', () => {
  it('POSTs one JSON request per dispatch with the key, the dispatch id as idempotency key and reference', async () => {
    provider = await startDemoProvider();
    const messenger = new HttpDemoMessenger({ baseUrl: `${provider.url}/`, apiKey: provider.apiKey });
    const sitemsg = await engineWith(messenger);
    const [scheduled] = await sitemsg.scheduleMessages(
      'Hello over HTTP',
      sitemsg.recipients('http-demo', 'ada@example.test'),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    const dispatchId = scheduled!.dispatches[0]!.id;
    const [request] = provider.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(request?.headers.authorization).toBe(`Bearer ${provider.apiKey}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe(dispatchId);
    expect(JSON.parse(request!.body)).toEqual({
      to: 'ada@example.test',
      text: 'Hello over HTTP',
      reference: dispatchId,
    });
    expect((await sitemsg.store.getDispatch(dispatchId))?.status).toBe('sent');
  });

  it('maps provider answers to outcomes: 400 permanent, 503 and 401 retryable', async () => {
    provider = await startDemoProvider();
    const messenger = new HttpDemoMessenger({ baseUrl: provider.url, apiKey: 'wrong-key' });
    const sitemsg = await engineWith(messenger);
    await sitemsg.scheduleMessages('x', sitemsg.recipients('http-demo', 'ada@example.test'));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 0 });
    const [errored] = await sitemsg.store.listDispatches({ status: 'error' });
    expect(errored?.lastError).toContain('HTTP 401 unauthorized');
    expect(errored?.lastError).not.toContain('wrong-key');

    const good = new HttpDemoMessenger({
      baseUrl: provider.url,
      apiKey: provider.apiKey,
      alias: 'demo-good',
    });
    provider.failAddress('gone@example.test', 'permanent');
    provider.failAddress('busy@example.test', 'retryable');
    const engine = await engineWith(good);
    await engine.scheduleMessages(
      'y',
      engine.recipients('demo-good', ['gone@example.test', 'busy@example.test']),
    );
    expect(await engine.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 1 });
    const [failed] = await engine.store.listDispatches({ status: 'failed' });
    expect(failed).toMatchObject({ address: 'gone@example.test' });
    expect(failed?.lastError).toContain('HTTP 400 invalid_recipient');
  });

  it('answers a repeated idempotency key with the first message id and records it once', async () => {
    provider = await startDemoProvider();
    const post = (text: string) =>
      fetch(`${provider.url}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${provider.apiKey}`, 'idempotency-key': 'd-1' },
        body: JSON.stringify({ to: 'ada@example.test', text }),
      }).then((r) => r.json());
    const first = await post('once');
    expect(await post('twice')).toEqual(first);
    expect(await provider.received()).toEqual([{ address: 'ada@example.test', text: 'once' }]);
  });

  it('uses the injected fetch', async () => {
    provider = await startDemoProvider();
    const seen: string[] = [];
    const messenger = new HttpDemoMessenger({
      baseUrl: provider.url,
      apiKey: provider.apiKey,
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    expect(await messenger.healthCheck()).toEqual({ status: 'healthy' });
    expect(seen).toEqual([`GET ${provider.url}/v1/account`]);
  });

  it('refuses a missing base URL or API key at construction', () => {
    expect(() => new HttpDemoMessenger({ baseUrl: 'ftp://x', apiKey: 'k' })).toThrow(ConfigurationError);
    expect(() => new HttpDemoMessenger({ baseUrl: 'http://127.0.0.1:1', apiKey: '' })).toThrow(
      /apiKey is required/,
    );
  });
});
