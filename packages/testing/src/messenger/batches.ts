import type { CompiledMessage, DispatchResult, Messenger, OutgoingDispatch } from '@sitemsg/core/plugin';
import { expect } from 'vitest';
import { outgoingDispatch } from '../fakes/outgoing-dispatch.js';
import type { FakeProvider, ReceivedMessage } from './harness.js';

let seq = 0;
const runId = Math.random().toString(36).slice(2, 8);

/** One dispatch as the engine would hand it to the messenger: rendered, with a unique id. */
export function outgoing(messenger: Messenger, address: string, text: string): OutgoingDispatch {
  seq++;
  const now = new Date();
  const id = `conformance-${runId}-${seq}`;
  const subject = `Conformance ${seq}`;
  const compiled: CompiledMessage = { text, subject, title: subject };
  return outgoingDispatch({
    id,
    messenger: messenger.alias,
    address,
    compiled,
    type: 'email_plain',
    now,
    markReadUrl: `https://example.test/sitemsg/mark-read?d=${id}`,
  });
}

/** One dispatch per address, each with its own text. */
export function batchFor(messenger: Messenger, addresses: readonly string[]): OutgoingDispatch[] {
  return addresses.map((address, i) => outgoing(messenger, address, `Conformance text ${i + 1} (${runId}).`));
}

export interface BatchRun {
  /** What `warmUp()` threw (the engine then records the whole batch as a retryable error). */
  readonly warmUpError: unknown;
  readonly results: readonly DispatchResult[];
}

/** warmUp, send, coolDown: what the engine does with a batch. A thrown send() fails the test. */
export async function runBatch(messenger: Messenger, batch: readonly OutgoingDispatch[]): Promise<BatchRun> {
  try {
    await messenger.warmUp();
  } catch (warmUpError) {
    await messenger.coolDown().catch(() => undefined);
    return { warmUpError: warmUpError ?? new Error('warmUp() threw'), results: [] };
  }
  try {
    const results = await messenger.send(batch).catch((error: unknown) => {
      throw new Error(`send() threw instead of returning an err outcome per dispatch: ${String(error)}`, {
        cause: error,
      });
    });
    expect([...results.map((r) => r.dispatchId)].sort()).toEqual(batch.map((o) => o.dispatch.id).sort());
    return { warmUpError: null, results };
  } finally {
    await messenger.coolDown();
  }
}

export function resultFor(run: BatchRun, item: OutgoingDispatch): DispatchResult['result'] {
  const found = run.results.find((r) => r.dispatchId === item.dispatch.id);
  if (!found) throw new Error(`no outcome for dispatch ${item.dispatch.id}`);
  return found.result;
}

/** Waits (bounded, polling) until `count` messages arrived: some wires deliver after send() returns. */
export async function waitForReceived(
  provider: FakeProvider,
  count: number,
  timeoutMs = 10_000,
): Promise<readonly ReceivedMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = await provider.received();
    if (received.length >= count || Date.now() > deadline) return received;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The provider received each of `items` once, with its text (and subject / dispatch id when it saw them). */
export function expectDelivered(
  received: readonly ReceivedMessage[],
  items: readonly OutgoingDispatch[],
): void {
  expect(received.map((r) => r.address).sort()).toEqual(items.map((o) => o.dispatch.address).sort());
  for (const item of items) {
    const got = received.find((r) => r.address === item.dispatch.address)!;
    expect(got.text).toContain(item.compiled.text);
    if (got.subject !== undefined) expect(got.subject).toBe(item.compiled.subject);
    if (got.dispatchId !== undefined) expect(got.dispatchId).toBe(item.dispatch.id);
  }
}
