/**
 * Health: liveness by default (no outbound call, nothing internal named); readiness only behind
 * the application's guard, one round of checks per cache interval (an injected clock proves it).
 */
import { createSitemsg, MemoryStore } from '@sitemsg/core';
import {
  type DispatchResult,
  type HealthStatus,
  Messenger,
  type OutgoingDispatch,
} from '@sitemsg/core/plugin';
import { MemoryInboxStore } from '@sitemsg/inbox';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sitemsgRouter } from '../src/index.js';
import { buildApp, storeKinds } from './app.js';

const [memory, postgres] = storeKinds('health');

/** A channel whose health check is an outbound login: it counts them, and names its server as SMTP does. */
class CountingMessenger extends Messenger {
  static override alias = 'relay';
  checks = 0;
  override async healthCheck(): Promise<HealthStatus> {
    this.checks++;
    return { status: 'healthy', detail: 'logged in to smtp.internal.example:2525' };
  }
  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map(() => {
      throw new Error('not used');
    });
  }
}

const TOKEN = 'monitoring-token';
const guard = (req: express.Request) => req.get('authorization') === `Bearer ${TOKEN}`;

describe('liveness (the default)', () => {
  it('answers 20 GETs without a single outbound check and names nothing internal', async () => {
    const relay = new CountingMessenger();
    const t = buildApp(memory!, { messengers: [relay] });
    for (let i = 0; i < 20; i++) {
      const res = await request(t.app).get('/sitemsg/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
      expect(res.text).not.toContain('smtp.internal');
    }
    expect(relay.checks).toBe(0);
    // Readiness is not there unless the application asks for it behind a guard.
    expect((await request(t.app).get('/sitemsg/health/ready')).status).toBe(404);
  });

  it('needs no user and no setup, and is absent with health: false', async () => {
    const app = express();
    app.use(sitemsgRouter(createSitemsg()));
    expect((await request(app).get('/sitemsg/health')).body).toEqual({ status: 'ok' });
    const off = buildApp(memory!, { router: { health: false } });
    expect((await request(off.app).get('/sitemsg/health')).status).toBe(404);
  });
});

describe('readiness (opt-in)', () => {
  it('runs one round of checks per cacheMs: 20 GETs, 1 check; another after the interval', async () => {
    const relay = new CountingMessenger();
    const t = buildApp(memory!, { messengers: [relay] });
    const app = express();
    app.use(
      sitemsgRouter(t.sitemsg, {
        health: { readiness: { guard, cacheMs: 30_000 } },
        clock: t.clock,
      }),
    );
    const ready = () => request(app).get('/sitemsg/health/ready').set('Authorization', `Bearer ${TOKEN}`);
    const answers = await Promise.all(Array.from({ length: 10 }, ready));
    for (let i = 0; i < 10; i++) answers.push(await ready());
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(relay.checks).toBe(1);
    expect(answers[19]!.body.components['messenger:relay']).toEqual({
      status: 'healthy',
      detail: 'logged in to smtp.internal.example:2525',
    });
    expect(answers[19]!.body.checkedAt).toBe('2026-04-01T10:00:00.000Z');
    t.clock.advance(29_999);
    await ready();
    expect(relay.checks).toBe(1);
    t.clock.advance(1);
    expect((await ready()).body.checkedAt).toBe('2026-04-01T10:00:30.000Z');
    expect(relay.checks).toBe(2);
  });

  it('answers 403 to whoever the guard refuses, running no check', async () => {
    const relay = new CountingMessenger();
    const t = buildApp(memory!, { messengers: [relay], router: { health: { readiness: { guard } } } });
    const res = await request(t.app).get('/sitemsg/health/ready').set('Authorization', 'Bearer guess');
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('relay');
    expect(relay.checks).toBe(0);
  });

  for (const kind of [memory!, postgres!]) {
    it(`aggregates the engine and the inbox (${kind.name}): 200 when healthy`, async () => {
      const t = buildApp(kind, { router: { health: { readiness: { guard } } } });
      const res = await request(t.app).get('/sitemsg/health/ready').set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe('healthy');
      expect(Object.keys(res.body.components).sort()).toEqual([
        'inbox',
        'messenger:email',
        'messenger:inbox',
        `store:${kind.name}`,
      ]);
    });
  }

  it('answers 503 when the inbox or the engine store is unhealthy', async () => {
    const inboxStore = new MemoryInboxStore();
    inboxStore.healthCheck = () => Promise.reject(new Error('inbox database unreachable'));
    const broken = buildApp(
      { name: 'broken', sitemsgStore: () => undefined, inboxStore: () => inboxStore },
      { router: { health: { readiness: { guard } } } },
    );
    const res = await request(broken.app)
      .get('/sitemsg/health/ready')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(503);
    expect(res.body.components.inbox).toEqual({ status: 'unhealthy', detail: 'inbox database unreachable' });

    const store = new MemoryStore();
    store.healthCheck = () => Promise.resolve({ status: 'unhealthy', detail: 'replica lag' });
    const lagging = buildApp(
      { name: 'lagging', sitemsgStore: () => store, inboxStore: () => new MemoryInboxStore() },
      { router: { health: { readiness: { guard } } } },
    );
    const lag = await request(lagging.app)
      .get('/sitemsg/health/ready')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(503);
    expect(lag.body.components['store:memory']).toEqual({ status: 'unhealthy', detail: 'replica lag' });
  });
});
