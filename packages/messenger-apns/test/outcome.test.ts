/** Every row of the outcome table, answered by the fake over a real HTTP/2 connection and classified by the messenger. */
import { describe, expect, it } from 'vitest';
import { APNS_OUTCOMES, ApnsDeliveryError, type ApnsOutcomeRow, outcomeRow } from '../src/index.js';
import type { ScriptedAnswer } from './fixtures/fake-apns.js';
import { outgoing, rig, TOKENS } from './fixtures/setup.js';

const UNREGISTERED_AT = Date.parse('2026-02-27T08:30:00Z');

/** The answer a row stands for (a class of statuses by one of its members, a reason-less row by a reason it covers). */
function answerFor(row: ApnsOutcomeRow): ScriptedAnswer {
  const status = row.status === '5xx' ? 503 : row.status === '4xx' ? 418 : (row.status as number);
  const fallback: Record<number, string> = {
    400: 'BadExpirationDate',
    403: 'MissingProviderToken',
    429: 'SomethingNew',
    503: 'ServiceUnavailable',
    418: 'Teapot',
  };
  const reason = row.reason ?? fallback[status] ?? 'Unknown';
  return { status, reason, ...(reason === 'Unregistered' && { timestamp: UNREGISTERED_AT }) };
}

describe('APNs outcome table', () => {
  it.each(APNS_OUTCOMES.map((row) => [`${row.status}${row.reason ? ` ${row.reason}` : ''}`, row] as const))(
    '%s',
    async (_name, row) => {
      const t = await rig({ concurrency: 1 });
      try {
        if (row.status === 'network') t.fake.outage = 'network';
        else t.fake.script.push(answerFor(row));
        const results = await t.messenger.send([outgoing('d1', TOKENS[0]), outgoing('d2', TOKENS[1])]);
        const [first, second] = ['d1', 'd2'].map((id) => results.find((r) => r.dispatchId === id)!.result);
        expect(first!.ok).toBe(false);
        if (first!.ok) return;
        const error = first!.error as ApnsDeliveryError;
        expect(error).toBeInstanceOf(ApnsDeliveryError);
        expect(error.retryable).toBe(row.verdict !== 'permanent');
        expect(error.configuration).toBe(row.verdict === 'configuration');
        expect(error.feedback).toBe(row.feedback);
        if (row.status === 'network') {
          expect(error.statusCode).toBeUndefined();
          expect(second!.ok).toBe(false);
          return;
        }
        const answer = answerFor(row);
        expect(error.statusCode).toBe(answer.status);
        expect(error.providerCode).toBe(answer.reason);
        expect(outcomeRow(answer.status, answer.reason)).toBe(row);
        if (answer.reason === 'Unregistered') {
          expect(error.unregisteredAt).toEqual(new Date(UNREGISTERED_AT));
          expect(error.message).toContain('inactive since 2026-02-27T08:30:00.000Z');
          expect(JSON.parse(error.responseBody!)).toEqual({
            reason: 'Unregistered',
            timestamp: UNREGISTERED_AT,
          });
        }
        // A row that stops the batch answers the second dispatch without a request.
        expect(t.fake.requests).toHaveLength(row.stopsBatch ? 1 : 2);
        expect(second!.ok).toBe(!row.stopsBatch);
        if (row.stopsBatch && !second!.ok) expect(second!.error).toBe(error);
      } finally {
        await t.close();
      }
    },
  );

  it('has one row for each dead-token reason, all address-invalid', () => {
    const dead = APNS_OUTCOMES.filter((r) => r.feedback === 'address-invalid').map(
      (r) => `${r.status} ${r.reason}`,
    );
    expect(dead).toEqual([
      '400 BadDeviceToken',
      '400 DeviceTokenNotForTopic',
      '410 Unregistered',
      '410 ExpiredToken',
    ]);
  });

  it('classifies the 500 and 403 ExpiredProviderToken that node-apn reshapes, as they arrive', async () => {
    const t = await rig({ concurrency: 1 });
    try {
      t.fake.script.push({ status: 500, reason: 'InternalServerError' });
      const [internal] = await t.messenger.send([outgoing('d1', TOKENS[0])]);
      expect(internal!.result).toMatchObject({
        ok: false,
        error: { retryable: true, providerCode: 'InternalServerError' },
      });
      t.fake.script.push({ status: 403, reason: 'ExpiredProviderToken' });
      const [expired] = await t.messenger.send([outgoing('d2', TOKENS[0])]);
      expect(expired!.result).toMatchObject({
        ok: false,
        error: {
          retryable: true,
          configuration: true,
          providerCode: 'ExpiredProviderToken',
          statusCode: 403,
        },
      });
      // node-apn signs a new provider token after ExpiredProviderToken: the next push carries it and goes through.
      const [next] = await t.messenger.send([outgoing('d3', TOKENS[0])]);
      expect(next!.result.ok).toBe(true);
      const [, refused, renewed] = t.fake.requests.map((r) => r.headers.authorization);
      expect(renewed).not.toBe(refused);
      expect(t.fake.requests[2]!.jwt).not.toBeNull();
    } finally {
      await t.close();
    }
  });
});
