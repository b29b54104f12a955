/** Every row of the outcome tables, answered by the fake over a real socket and classified by the messenger. */
import { describe, expect, it } from 'vitest';
import {
  VONAGE_HTTP_OUTCOMES,
  VONAGE_STATUSES,
  VonageDeliveryError,
  type VonageStatusRow,
} from '../src/index.js';
import { NUMBERS, outgoing, rig } from './fixtures/setup.js';

async function check(row: VonageStatusRow, prepare: (fake: Awaited<ReturnType<typeof rig>>['fake']) => void) {
  const t = await rig({ concurrency: 1, throttleRetryMs: 2000 });
  try {
    prepare(t.fake);
    const [first, second] = await t.messenger.send([outgoing('d1', NUMBERS[0]), outgoing('d2', NUMBERS[1])]);
    const result = first!.result;
    expect(result.ok).toBe(false);
    if (result.ok) return null;
    const error = result.error as VonageDeliveryError;
    expect(error).toBeInstanceOf(VonageDeliveryError);
    expect(error.retryable).toBe(row.verdict !== 'permanent');
    expect(error.configuration).toBe(row.verdict === 'configuration');
    expect(error.feedback).toBe(row.feedback);
    return { error, second: second!.result, requests: t.fake.requests.length };
  } finally {
    await t.close();
  }
}

describe('Vonage SMS API statuses', () => {
  it.each(Object.entries(VONAGE_STATUSES))('status %s', async (status, row) => {
    const seen = await check(row, (fake) =>
      fake.refused.set(NUMBERS[0].slice(1), { status, errorText: row.meaning }),
    );
    expect(seen!.error.providerCode).toBe(status);
    if (status === '1') expect(seen!.error.retryAfterMs).toBe(2000);
    expect(seen!.requests).toBe(row.stopsBatch ? 1 : 2);
    expect(seen!.second.ok).toBe(!row.stopsBatch);
  });
});

describe('Vonage HTTP answers', () => {
  it.each(VONAGE_HTTP_OUTCOMES.map((row) => [String(row.status), row] as const))('%s', async (_name, row) => {
    const status = row.status === '5xx' ? 503 : row.status === '4xx' ? 400 : row.status;
    const seen = await check(row, (fake) => {
      if (status === 'network') fake.outage = 'network';
      else fake.script.push({ status, headers: { 'Retry-After': '7' }, body: { title: row.meaning } });
    });
    if (status === 'network') return;
    expect(seen!.error.statusCode).toBe(status);
    if (row.verdict === 'retryable') expect(seen!.error.retryAfterMs).toBe(7000);
    expect(seen!.requests).toBe(row.stopsBatch ? 1 : 2);
  });
});
