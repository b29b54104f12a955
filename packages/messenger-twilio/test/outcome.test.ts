/** Every row of the outcome table, answered by the fake over a real socket and classified by the messenger. */

import type { ScriptedAnswer } from '@sitemsg/sms-kit/testing';
import { describe, expect, it } from 'vitest';
import { TWILIO_OUTCOMES, TwilioDeliveryError, type TwilioOutcomeRow } from '../src/index.js';
import { twilioError } from '../src/testing.js';
import { NUMBERS, outgoing, rig } from './fixtures/setup.js';

function answerFor(row: TwilioOutcomeRow): ScriptedAnswer {
  const status = row.status === '5xx' ? 500 : row.status === '4xx' ? 400 : (row.status as number);
  const code = row.code ?? (status === 400 ? 21602 : status === 429 ? 20429 : status * 100 + 1);
  return { ...twilioError(status, code, row.meaning), headers: { 'Retry-After': '7' } };
}

describe('Twilio outcome table', () => {
  it.each(TWILIO_OUTCOMES.map((row) => [`${row.status}${row.code ? ` ${row.code}` : ''}`, row] as const))(
    '%s',
    async (_name, row) => {
      const t = await rig({ concurrency: 1 });
      try {
        if (row.status === 'network') t.fake.outage = 'network';
        else t.fake.script.push(answerFor(row));
        const [first, second] = await t.messenger.send([
          outgoing('d1', NUMBERS[0]),
          outgoing('d2', NUMBERS[1]),
        ]);
        const result = first!.result;
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const error = result.error as TwilioDeliveryError;
        expect(error).toBeInstanceOf(TwilioDeliveryError);
        expect(error.retryable).toBe(row.verdict !== 'permanent');
        expect(error.configuration).toBe(row.verdict === 'configuration');
        expect(error.feedback).toBe(row.feedback);
        if (row.code !== undefined) expect(error.providerCode).toBe(String(row.code));
        if (row.status === 429 || row.status === '5xx') expect(error.retryAfterMs).toBe(7000);
        if (row.status === 'network') return;
        // A row that stops the batch answers the second dispatch without a request.
        expect(t.fake.requests).toHaveLength(row.stopsBatch ? 1 : 2);
        expect(second!.result.ok).toBe(!row.stopsBatch);
      } finally {
        await t.close();
      }
    },
  );
});
