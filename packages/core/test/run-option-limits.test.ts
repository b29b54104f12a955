import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupSentMessages,
  configureSitemsg,
  RUN_OPTION_LIMITS,
  type SendOptions,
  type WorkOptions,
} from '../src/index.js';
import { ValidationError } from '../src/plugin.js';
import { setup } from './helpers.js';

/** Two sent dispatches and one pending, so that any run that sends or any cleanup that deletes shows. */
async function scheduled() {
  const rig = setup();
  await rig.sitemsg.scheduleMessages('old', rig.sitemsg.recipients('test', ['a@x.test', 'b@x.test']));
  await rig.sitemsg.sendScheduledMessages();
  await rig.sitemsg.scheduleMessages('due', rig.sitemsg.recipients('test', 'c@x.test'));
  return rig;
}

describe('send and work options are checked at the call', () => {
  it.each([
    [{ concurrency: Number.NaN }, /concurrency must be an integer from 1 to 64 \(got NaN\)/],
    [{ concurrency: 0 }, /concurrency must be an integer from 1 to 64/],
    [{ concurrency: -2 }, /concurrency/],
    [{ concurrency: 1.5 }, /concurrency/],
    [{ concurrency: 1_000_000 }, /concurrency must be an integer from 1 to 64 \(got 1000000\)/],
    [{ concurrency: '2' }, /concurrency/],
    [{ batchSize: 0 }, /batchSize must be an integer from 1 to 10000/],
    [{ batchSize: 0.5 }, /batchSize/],
    [{ batchSize: Number.NaN }, /batchSize/],
    [{ batchSize: 10_001 }, /batchSize/],
    [{ priority: 1.5 }, /priority must be an integer/],
    [{ batchsize: 10 }, /unknown option "batchsize": the options are priority, /],
    [{ pollInterval: 50 }, /unknown option "pollInterval" \(it belongs to work\(\)\)/],
  ])('sendScheduledMessages(%o) is a ValidationError and sends nothing', async (options, message) => {
    const { sitemsg, messenger } = await scheduled();
    const call = sitemsg.sendScheduledMessages(options as SendOptions);
    await expect(call).rejects.toBeInstanceOf(ValidationError);
    await expect(sitemsg.sendScheduledMessages(options as SendOptions)).rejects.toThrow(message);
    expect(messenger.sent).toHaveLength(2);
    expect((await sitemsg.store.countDispatches()).pending).toBe(1);
  });

  it.each([
    [{ pollInterval: 0 }, /pollInterval must be an integer from 10 to 3600000 ms \(got 0\)/],
    [{ pollInterval: -1 }, /pollInterval/],
    [{ pollInterval: Number.NaN }, /pollInterval/],
    [{ pollInterval: 2.5 }, /pollInterval/],
    [{ pollInterval: 3_600_001 }, /pollInterval/],
    [{ concurrency: 0 }, /concurrency/],
    [{ batchSize: 20_000 }, /batchSize/],
    [{ onBatch: () => {} }, /unknown option "onBatch" \(it belongs to sendScheduledMessages\(\)\)/],
    [{ leaseMs: 5000 }, /unknown option "leaseMs" \(it belongs to createSitemsg\(\)\)/],
  ])('work(%o) is a ValidationError before the loop starts', async (options, message) => {
    const { sitemsg, messenger } = await scheduled();
    const run = { handleSignals: false, ...options } as WorkOptions;
    await expect(sitemsg.work(run)).rejects.toBeInstanceOf(ValidationError);
    await expect(sitemsg.work(run)).rejects.toThrow(message);
    expect(messenger.sent).toHaveLength(2);
  });

  it('accepts the documented bounds', async () => {
    const { sitemsg, messenger } = await scheduled();
    const { concurrency, batchSize } = RUN_OPTION_LIMITS;
    await sitemsg.sendScheduledMessages({ concurrency: concurrency.max, batchSize: batchSize.max });
    expect(messenger.sent).toHaveLength(3);
    const stop = new AbortController();
    stop.abort();
    const counts = await sitemsg.work({
      pollInterval: RUN_OPTION_LIMITS.pollInterval.min,
      concurrency: concurrency.min,
      batchSize: batchSize.min,
      signal: stop.signal,
      handleSignals: false,
    });
    expect(counts).toEqual({ sent: 0, error: 0, failed: 0, skipped: 0 });
  });
});

describe('cleanupSentMessages({ ago })', () => {
  afterEach(() => configureSitemsg({}));

  it.each([
    [1e300, /ago must be a number of days from 0 to 36525 \(100 years; got 1e\+300\)/],
    [36_526, /ago must be a number of days from 0 to 36525/],
    [Number.POSITIVE_INFINITY, /ago/],
    [Number.NaN, /ago/],
    [-1, /ago/],
    ['5', /ago/],
  ])('refuses ago: %s with a ValidationError and deletes nothing', async (ago, message) => {
    const { sitemsg } = await scheduled();
    await expect(sitemsg.cleanupSentMessages({ ago: ago as number })).rejects.toBeInstanceOf(ValidationError);
    await expect(sitemsg.cleanupSentMessages({ ago: ago as number })).rejects.toThrow(message);
    expect((await sitemsg.store.countDispatches()).sent).toBe(2);
  });

  it('refuses unknown keys and a non-boolean dispatchesOnly; 100 years is allowed and deletes nothing recent', async () => {
    const { sitemsg } = await scheduled();
    await expect(sitemsg.cleanupSentMessages({ days: 5 } as never)).rejects.toThrow(
      /\[cleanupSentMessages\] unknown option "days": the options are ago, dispatchesOnly/,
    );
    await expect(sitemsg.cleanupSentMessages({ dispatchesOnly: 'yes' } as never)).rejects.toThrow(
      ValidationError,
    );
    expect(await sitemsg.cleanupSentMessages({ ago: 36_525 })).toEqual({ dispatches: 0, messages: 0 });
    expect((await sitemsg.store.countDispatches()).sent).toBe(2);
  });

  it('is checked through the process-wide toolbox too', async () => {
    const { sitemsg } = await scheduled();
    configureSitemsg(sitemsg);
    await expect(cleanupSentMessages({ ago: 1e300 })).rejects.toBeInstanceOf(ValidationError);
    expect((await sitemsg.store.countDispatches()).sent).toBe(2);
  });
});
