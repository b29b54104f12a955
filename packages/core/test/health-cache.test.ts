import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/index.js';
import { HealthCache, type HealthStatus } from '../src/plugin.js';

describe('HealthCache', () => {
  it('shares one check among concurrent callers, reuses it until the ttl, and takes what a send observed', async () => {
    const clock = new ManualClock();
    const cache = new HealthCache(60_000, clock);
    let calls = 0;
    const check = async (): Promise<HealthStatus> => {
      calls++;
      return { status: 'healthy', detail: `check ${calls}` };
    };
    const [a, b] = await Promise.all([cache.get(check), cache.get(check)]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    clock.advance(59_999);
    expect((await cache.get(check)).detail).toBe('check 1');
    clock.advance(1);
    expect((await cache.get(check)).detail).toBe('check 2');
    cache.observe({ status: 'unhealthy', detail: 'credentials refused' });
    expect(await cache.get(check)).toEqual({ status: 'unhealthy', detail: 'credentials refused' });
    expect(calls).toBe(2);
  });
});
