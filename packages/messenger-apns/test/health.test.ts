/** The health check: a probe push APNs refuses as BadDeviceToken when it accepts the credentials, cached by the injected clock. */
import { inspect } from 'node:util';
import { RecordingLogger } from '@sitemsg/testing/fakes';
import { describe, expect, it } from 'vitest';
import { ApnsMessenger, PROBE_TOKEN } from '../src/index.js';
import { optionsFor, outgoing, rig, SIGNING_KEY, startFake, TOKENS } from './fixtures/setup.js';

const probes = (requests: readonly { path: string }[]) =>
  requests.filter((r) => r.path === `/3/device/${PROBE_TOKEN}`).length;

describe('health check', () => {
  it('asks APNs once per healthCacheMs, by the injected clock', async () => {
    const t = await rig({ healthCacheMs: 60_000 });
    try {
      expect(await t.messenger.healthCheck()).toEqual({ status: 'healthy' });
      expect(await t.messenger.healthCheck()).toEqual({ status: 'healthy' });
      expect(probes(t.fake.requests)).toBe(1);
      t.fake.outage = 'auth';
      t.clock.advance(59_999);
      expect((await t.messenger.healthCheck()).status).toBe('healthy');
      t.clock.advance(1);
      const refused = await t.messenger.healthCheck();
      expect(refused.status).toBe('unhealthy');
      expect(refused.detail).toMatch(/APNs refused the configuration \(403 InvalidProviderToken\)/);
      expect(probes(t.fake.requests)).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('turns unhealthy at once when a send is refused for the credentials, logs it once without the key, and healthy after an accepted send', async () => {
    const t = await rig({ healthCacheMs: 3_600_000, concurrency: 1 });
    try {
      expect((await t.messenger.healthCheck()).status).toBe('healthy');
      t.fake.outage = 'auth';
      const results = await t.messenger.send(TOKENS.map((token, i) => outgoing(`d${i}`, token)));
      expect(results.every((r) => !r.result.ok && r.result.error.retryable)).toBe(true);
      expect(t.fake.requests.filter((r) => r.path !== `/3/device/${PROBE_TOKEN}`)).toHaveLength(1);
      const health = await t.messenger.healthCheck();
      expect(health.status).toBe('unhealthy');
      expect(probes(t.fake.requests)).toBe(1); // what the send learnt, not a new probe
      expect(t.logger.lines).toHaveLength(1);
      expect(t.logger.lines[0]).toMatchObject({
        level: 'error',
        fields: { messenger: 'apns', statusCode: 403, reason: 'InvalidProviderToken' },
      });
      expect(JSON.stringify(t.logger.lines)).not.toContain(keyBody());
      t.fake.outage = null;
      const [ok] = await t.messenger.send([outgoing('d9', TOKENS[0])]);
      expect(ok!.result.ok).toBe(true);
      expect(await t.messenger.healthCheck()).toEqual({ status: 'healthy' });
    } finally {
      await t.close();
    }
  });

  it('is unhealthy when APNs does not allow the topic, and logs it at init', async () => {
    const fake = await startFake();
    const logger = new RecordingLogger();
    const messenger = new ApnsMessenger(
      optionsFor(fake, { topic: 'com.example.other', logger, healthCacheMs: 0 }),
    );
    try {
      await messenger.init();
      expect(logger.lines.map((l) => l.message)).toEqual([expect.stringMatching(/400 TopicDisallowed/)]);
      expect(await messenger.healthCheck()).toMatchObject({ status: 'unhealthy' });
    } finally {
      await messenger.close();
      await fake.close();
    }
  });

  it('is unhealthy when the provider token is signed by another key, and never shows the key', async () => {
    const fake = await startFake();
    const logger = new RecordingLogger();
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const messenger = new ApnsMessenger(optionsFor(fake, { key: otherKey, logger, healthCacheMs: 0 }));
    try {
      await messenger.init();
      const health = await messenger.healthCheck();
      expect(health).toMatchObject({
        status: 'unhealthy',
        detail: expect.stringMatching(/InvalidProviderToken/),
      });
      const seen = JSON.stringify(logger.lines) + JSON.stringify(health) + inspect(messenger, { depth: 10 });
      expect(seen).not.toContain(otherKey.split('\n')[1]!);
      expect(fake.accepted).toEqual([]);
    } finally {
      await messenger.close();
      await fake.close();
    }
  });
});

/** A line of the signing key's base64 body: what must never be printed. */
function keyBody(): string {
  return SIGNING_KEY.split('\n')[1]!;
}
