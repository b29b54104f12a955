// The framework-neutral link handler mounted on a bare node:http server, as a Fastify or Hono
// application would mount it: real HTTP requests, no express.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLinkHandler, MessageType } from '../src/index.js';
import type { WebhookHandler } from '../src/plugin.js';
import { setup } from './helpers.js';

class News extends MessageType<{ text: string }> {
  static override alias = 'news';
  static override allowUserSubscription = true;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(handler: WebhookHandler): Promise<string> {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await handler({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host}${req.url}`,
      headers: req.headers,
      rawBody: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

async function mailed() {
  const t = setup({ messageTypes: [News] });
  await t.sitemsg.scheduleMessages(new News({ text: 'x' }), t.sitemsg.recipients('test', 'ada@x.test'));
  await t.sitemsg.sendScheduledMessages();
  const sent = t.messenger.sent[0]!;
  const base = await serve(createLinkHandler(t.sitemsg));
  const local = (url: string) => `${base}${new URL(url).pathname}${new URL(url).search}`;
  return { ...t, sent, unsubscribe: local(sent.unsubscribeUrl), markRead: local(sent.markReadUrl) };
}

describe('createLinkHandler on plain node:http', () => {
  it('confirms on GET without changing anything, unsubscribes on POST', async () => {
    const { sitemsg, unsubscribe } = await mailed();
    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('ada@x.test');
    expect(html).toContain('<form method="post"');
    expect(
      await sitemsg.store.findSuppressed('news', [{ messenger: 'test', address: 'ada@x.test' }]),
    ).toEqual([]);
    const done = await fetch(unsubscribe, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You have been unsubscribed.');
    expect(
      await sitemsg.store.findSuppressed('news', [{ messenger: 'test', address: 'ada@x.test' }]),
    ).toHaveLength(1);
  });

  it('answers an RFC 8058 one-click POST with text, also after cleanup', async () => {
    const { sitemsg, clock, unsubscribe } = await mailed();
    clock.advance(86_400_000);
    await sitemsg.cleanupSentMessages({ ago: 0 });
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toBe('Unsubscribed.');
  });

  it('refuses altered links with 403 and answers the pixel to every mark-read request', async () => {
    const { sitemsg, sent, unsubscribe, markRead } = await mailed();
    const altered = unsubscribe.replace(/\/unsubscribe\/(\d+)\//, '/unsubscribe/9$1/');
    expect((await fetch(altered, { method: 'POST' })).status).toBe(403);
    for (const url of [markRead, `${markRead}x`, markRead.replace(/mark-read\/\d+/, 'mark-read/%E0%A4%A')]) {
      const pixel = await fetch(url);
      expect(pixel.status).toBe(200);
      expect(pixel.headers.get('content-type')).toBe('image/gif');
    }
    expect((await sitemsg.store.getDispatch(sent.dispatch.id))?.readStatus).toBe('read');
  });
});
