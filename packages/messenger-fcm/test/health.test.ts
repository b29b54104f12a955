import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_CHECK_TOPIC } from '../src/index.js';
import { fcmError, TOKEN_ANSWERS } from './fixtures/fake-fcm.js';
import { outgoing, PROJECT_ID, type Rig, rig, SERVICE_ACCOUNT, TOKENS } from './fixtures/setup.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('FcmMessenger.healthCheck', () => {
  it('is a dry run (validate_only) to a topic: credentials and permission proved, nothing delivered', async () => {
    current = await rig();
    const { fake, messenger } = current;
    expect(await messenger.healthCheck()).toEqual({ status: 'healthy' });
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0]!.path).toBe(`/v1/projects/${PROJECT_ID}/messages:send`);
    expect(fake.sends[0]!.body).toEqual({
      message: { topic: HEALTH_CHECK_TOPIC, data: { sitemsg: 'health-check' } },
      validate_only: true,
    });
    expect(fake.dryRuns).toBe(1);
    expect(fake.accepted).toEqual([]);
  });

  it('reuses an answer for healthCacheMs by the injected clock, and concurrent checks share one request', async () => {
    current = await rig({ healthCacheMs: 60_000 });
    const { fake, messenger, clock } = current;
    const answers = await Promise.all([
      messenger.healthCheck(),
      messenger.healthCheck(),
      messenger.healthCheck(),
    ]);
    expect(answers.every((a) => a.status === 'healthy')).toBe(true);
    expect(fake.dryRuns).toBe(1);
    clock.advance(59_999);
    await messenger.healthCheck();
    expect(fake.dryRuns).toBe(1);
    clock.advance(1);
    await messenger.healthCheck();
    expect(fake.dryRuns).toBe(2);
  });

  it('turns unhealthy at once when a send is refused for the configuration, logs it once without the key, and healthy again on an accepted send', async () => {
    current = await rig({ healthCacheMs: 60_000, concurrency: 1 });
    const { fake, messenger, logger } = current;
    expect(await messenger.healthCheck()).toEqual({ status: 'healthy' });
    fake.script.push(
      fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR'),
    );
    const results = await messenger.send([outgoing('a', TOKENS[0]), outgoing('b', TOKENS[1])]);
    expect(results.every((r) => !r.result.ok && r.result.error.retryable)).toBe(true);
    const health = await messenger.healthCheck();
    expect(health.status).toBe('unhealthy');
    expect(health.detail).toMatch(/401 THIRD_PARTY_AUTH_ERROR/);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'error',
      fields: { messenger: 'fcm', statusCode: 401, providerCode: 'THIRD_PARTY_AUTH_ERROR' },
    });
    const keyLine = SERVICE_ACCOUNT.private_key!.split('\n')[1]!;
    expect(JSON.stringify(logger.lines)).not.toContain(keyLine);
    expect(fake.dryRuns).toBe(1);
    await messenger.send([outgoing('c', TOKENS[2])]);
    expect(await messenger.healthCheck()).toEqual({ status: 'healthy' });
  });

  it('is unhealthy when the service account is refused or FCM is unreachable, degraded when FCM is overloaded', async () => {
    current = await rig({ healthCacheMs: 0 });
    const { fake, messenger } = current;
    fake.outage('auth');
    const refused = await messenger.healthCheck();
    expect(refused.status).toBe('unhealthy');
    expect(refused.detail).toMatch(/no FCM access token .*HTTP 400 invalid_grant/);
    fake.outage(null);
    expect(await messenger.healthCheck()).toEqual({ status: 'healthy' });
    fake.outage('network');
    expect((await messenger.healthCheck()).status).toBe('unhealthy');
    fake.outage(null);
    fake.script.push(TOKEN_ANSWERS.unavailable);
    const overloaded = await messenger.healthCheck();
    expect(overloaded).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(/503 UNAVAILABLE/),
    });
  });
});
