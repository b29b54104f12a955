/**
 * Every row of FCM_OUTCOMES, in order, produced by a real answer of the fake over the wire: the
 * messenger's verdict (retryable, configuration, feedback, whether the rest of the batch waits)
 * must be the row's, and firebase-admin's own error for the same answer must be the row's sdkCode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFcmClient } from '../src/fcm-app.js';
import { buildFcmMessage } from '../src/fcm-message.js';
import {
  FCM_OUTCOMES,
  FcmDeliveryError,
  type FcmMessengerOptions,
  type FcmOutcomeRow,
} from '../src/index.js';
import { loadServiceAccount } from '../src/service-account.js';
import { type FakeFcm, fcmError, type ScriptedAnswer, TOKEN_ANSWERS } from './fixtures/fake-fcm.js';
import {
  outgoing,
  PROJECT_ID,
  type Rig,
  RoutingAgent,
  rig,
  SERVICE_ACCOUNT,
  TOKENS,
} from './fixtures/setup.js';

interface Case {
  readonly name: string;
  /** Messenger options for this case (a wrong projectId). */
  readonly options?: Partial<FcmMessengerOptions>;
  /** No send before the case (the outage is there from the start). */
  readonly cold?: boolean;
  /** Puts the fake in the state that makes it answer this row (after a warm-up send). */
  arrange(fake: FakeFcm): void;
  /** The first dispatch's data (a value firebase-admin refuses before sending). */
  readonly data?: Record<string, string>;
  readonly statusCode?: number;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;
}

const answer = (a: ScriptedAnswer) => (fake: FakeFcm) => {
  fake.script.push(a);
};
const retryAt = new Date('2026-03-01T12:00:07Z').toUTCString();

/** One case per row of FCM_OUTCOMES, in the table's order. */
const CASES: readonly Case[] = [
  {
    name: '404 UNREGISTERED',
    arrange: (fake) => fake.refused.set(TOKENS[0], TOKEN_ANSWERS.unregistered),
    statusCode: 404,
    providerCode: 'UNREGISTERED',
  },
  {
    name: '400 INVALID_ARGUMENT with a BadRequest violation of message.token',
    arrange: (fake) => fake.refused.set(TOKENS[0], TOKEN_ANSWERS.invalidField),
    statusCode: 400,
    providerCode: 'INVALID_ARGUMENT',
  },
  {
    name: '400 INVALID_ARGUMENT of another field (message.data[0].value)',
    arrange: answer(
      fcmError(
        400,
        'INVALID_ARGUMENT',
        "Invalid value at 'message.data[0].value' (TYPE_STRING), 12",
        undefined,
        [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [
              { field: 'message.data[0].value', description: "Invalid value at 'message.data[0].value'" },
            ],
          },
        ],
      ),
    ),
    statusCode: 400,
    providerCode: 'INVALID_ARGUMENT',
  },
  {
    name: '403 SENDER_ID_MISMATCH',
    arrange: (fake) => fake.refused.set(TOKENS[0], TOKEN_ANSWERS.senderMismatch),
    statusCode: 403,
    providerCode: 'SENDER_ID_MISMATCH',
  },
  {
    name: '403 PERMISSION_DENIED (the service account may not send)',
    arrange: answer(
      fcmError(
        403,
        'PERMISSION_DENIED',
        `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${PROJECT_ID}' (or it may not exist).`,
      ),
    ),
    statusCode: 403,
    providerCode: 'PERMISSION_DENIED',
  },
  {
    name: '401 THIRD_PARTY_AUTH_ERROR',
    arrange: answer(
      fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR'),
    ),
    statusCode: 401,
    providerCode: 'THIRD_PARTY_AUTH_ERROR',
  },
  {
    name: '401 UNAUTHENTICATED (the access token was revoked)',
    arrange: (fake) => fake.revokeTokens(),
    statusCode: 401,
    providerCode: 'UNAUTHENTICATED',
  },
  {
    name: '404 NOT_FOUND without UNREGISTERED (a wrong projectId)',
    options: { projectId: 'another-project-42' },
    arrange: () => {},
    statusCode: 404,
    providerCode: 'NOT_FOUND',
  },
  {
    name: '429 QUOTA_EXCEEDED with Retry-After in seconds',
    arrange: answer({
      ...fcmError(
        429,
        'RESOURCE_EXHAUSTED',
        'Quota exceeded for quota metric of service fcm.googleapis.com',
        'QUOTA_EXCEEDED',
      ),
      headers: { 'Retry-After': '30' },
    }),
    statusCode: 429,
    providerCode: 'QUOTA_EXCEEDED',
    retryAfterMs: 30_000,
  },
  {
    name: '503 UNAVAILABLE with Retry-After',
    arrange: answer(TOKEN_ANSWERS.unavailable),
    statusCode: 503,
    providerCode: 'UNAVAILABLE',
    retryAfterMs: 5000,
  },
  {
    name: '500 INTERNAL with Retry-After as an HTTP date',
    arrange: answer({
      ...fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
      headers: { 'Retry-After': retryAt },
    }),
    statusCode: 500,
    providerCode: 'INTERNAL',
    retryAfterMs: 7000,
  },
  {
    name: '502 from a proxy (HTML, no FCM body)',
    arrange: answer({ status: 502, body: '<!DOCTYPE html><title>Error 502 (Server Error)!!1</title>' }),
    statusCode: 502,
  },
  {
    name: '413 (HTML, no FCM body)',
    arrange: answer({
      status: 413,
      body: '<!DOCTYPE html><title>Error 413 (Request Entity Too Large)!!1</title>',
    }),
    statusCode: 413,
  },
  {
    name: 'no access token (the token endpoint refuses the service account)',
    cold: true,
    arrange: (fake) => fake.outage('auth'),
  },
  { name: 'no answer (every connection dropped)', arrange: (fake) => fake.outage('network') },
  {
    name: 'firebase-admin refuses the message before sending',
    arrange: () => {},
    data: { count: 5 as unknown as string },
  },
];

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('FCM_OUTCOMES, row by row over the wire', () => {
  it('has one case per row', () => {
    expect(CASES.map((c) => c.name)).toHaveLength(FCM_OUTCOMES.length);
  });

  for (const [index, row] of FCM_OUTCOMES.entries()) {
    const c = CASES[index]!;
    it(`${describeRow(row)} ← ${c.name}`, async () => {
      current = await rig({ concurrency: 1, ...c.options });
      const { fake, messenger } = current;
      if (!c.cold) await messenger.send([outgoing('warm', TOKENS[2])]);
      c.arrange(fake);
      const first = outgoing('first', TOKENS[0], {
        title: 'Hi',
        body: 'There',
        ...(c.data && { data: c.data }),
      });
      const results = await messenger.send([first, outgoing('second', TOKENS[1])]);
      const byId = new Map(results.map((r) => [r.dispatchId, r.result] as const));
      const failed = byId.get('first')!;
      expect(failed.ok).toBe(false);
      if (failed.ok) return;
      const error = failed.error as FcmDeliveryError;
      expect(error).toBeInstanceOf(FcmDeliveryError);
      expect(error.retryable).toBe(row.verdict !== 'permanent');
      expect(error.configuration).toBe(row.verdict === 'configuration');
      expect(error.feedback).toBe(row.feedback);
      expect(error.statusCode).toBe(c.statusCode);
      if (c.providerCode !== undefined) expect(error.providerCode).toBe(c.providerCode);
      expect(error.retryAfterMs).toBe(c.retryAfterMs);
      const second = byId.get('second')!;
      if (row.stopsBatch) expect(second).toEqual({ ok: false, error });
      else expect(second.ok).toBe(true);
      expect(await sdkCodeFor(fake, c)).toBe(row.sdkCode);
    });
  }
});

/**
 * What firebase-admin itself throws for the same answer (its own retries off, as the messenger
 * runs it), through an app and an agent of its own.
 */
async function sdkCodeFor(fake: FakeFcm, c: Case): Promise<string> {
  fake.outage(null);
  fake.script.length = 0;
  const agent = new RoutingAgent(fake.address);
  const client = createFcmClient({
    alias: 'raw',
    serviceAccount: loadServiceAccount({ json: SERVICE_ACCOUNT }),
    projectId: c.options?.projectId ?? PROJECT_ID,
    httpAgent: agent,
    timeoutMs: 5000,
  });
  try {
    if (!c.cold) await client.messaging.send(buildFcmMessage(TOKENS[2], { body: 'warm' }, 0));
    c.arrange(fake);
    const message = buildFcmMessage(
      TOKENS[0],
      { title: 'Hi', body: 'There', ...(c.data && { data: c.data }) },
      0,
    );
    await client.messaging.send(message);
    return 'sent';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  } finally {
    await client.close();
    agent.destroy();
  }
}

function describeRow(row: FcmOutcomeRow): string {
  const codes = row.codes ? ` ${row.codes.join('/')}` : '';
  return `${row.status}${codes}${row.namesToken ? ' (token)' : ''} → ${row.verdict}${row.feedback ? ` + ${String(row.feedback)}` : ''}${row.stopsBatch ? ', batch stopped' : ''}`;
}
