import { describe, expect, it } from 'vitest';
import type { AddressInvalid } from '../src/index.js';
import { DeliveryError, err, ValidationError } from '../src/plugin.js';
import { setup } from './helpers.js';

async function sentTo(address: string) {
  const t = setup();
  const [scheduled] = await t.sitemsg.scheduleMessages('hello', t.sitemsg.recipients('test', address));
  await t.sitemsg.sendScheduledMessages();
  return { ...t, dispatch: (await t.sitemsg.store.getDispatch(scheduled!.dispatches[0]!.id))! };
}

describe('recordFeedback', () => {
  it('keeps the provider id of a sent dispatch and reports delivery with it', async () => {
    const { sitemsg, dispatch } = await sentTo('a@x.test');
    expect(dispatch.providerMessageId).toBe(`p-${dispatch.id}`);
    const delivered: unknown[] = [];
    sitemsg.on('dispatch:delivered', (e) => void delivered.push(e));
    await sitemsg.recordFeedback({
      kind: 'delivered',
      messenger: 'test',
      providerMessageId: `p-${dispatch.id}`,
    });
    expect(delivered).toEqual([
      expect.objectContaining({
        dispatchId: dispatch.id,
        address: 'a@x.test',
        providerMessageId: `p-${dispatch.id}`,
      }),
    ]);
  });

  it('marks the dispatch read on read feedback', async () => {
    const { sitemsg, dispatch } = await sentTo('a@x.test');
    await sitemsg.recordFeedback({ kind: 'read', messenger: 'test', dispatchId: dispatch.id });
    expect((await sitemsg.store.getDispatch(dispatch.id))?.readStatus).toBe('read');
  });

  it('refuses feedback it cannot place, and bad input, with a ValidationError', async () => {
    const { sitemsg } = await sentTo('a@x.test');
    await expect(
      sitemsg.recordFeedback({ kind: 'bounced', messenger: 'test', dispatchId: 'nope' }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_DISPATCH',
    });
    for (const bad of [
      { kind: 'exploded', messenger: 'test', address: 'a@x.test' },
      { kind: 'bounced', bounce: 'medium', messenger: 'test', address: 'a@x.test' },
      { kind: 'delivered', messenger: 'test', address: 'a\u0000@x.test' },
      { kind: 'delivered', messenger: 'test', address: 'a@x.test', at: new Date(Number.NaN) },
    ]) {
      await expect(sitemsg.recordFeedback(bad as never)).rejects.toThrow(ValidationError);
    }
  });

  it('follows the configured suppression policy', async () => {
    const strict = setup({ suppressOnFeedback: ['bounced:soft', 'bounced:hard'] });
    await strict.sitemsg.recordFeedback({
      kind: 'bounced',
      bounce: 'soft',
      messenger: 'test',
      address: 's@x.test',
    });
    await strict.sitemsg.recordFeedback({ kind: 'opted-out', messenger: 'test', address: 'o@x.test' });
    const found = await strict.sitemsg.store.findSuppressed('plain', [
      { messenger: 'test', address: 's@x.test' },
      { messenger: 'test', address: 'o@x.test' },
    ]);
    expect(found.map((f) => f.address)).toEqual(['s@x.test']);
    expect(() => setup({ suppressOnFeedback: ['bounced'] as never })).toThrow(/suppressOnFeedback must list/);
  });

  it('records the feedback a messenger answer carries: failed, suppressed, onAddressInvalid called once', async () => {
    const dead: AddressInvalid[] = [];
    const { sitemsg, messenger } = setup({ onAddressInvalid: (d) => void dead.push(d) });
    const send = messenger.send.bind(messenger);
    messenger.send = async (batch) => {
      const results = await send(batch.filter((o) => o.dispatch.address !== 'gone@x.test'));
      const gone = batch.find((o) => o.dispatch.address === 'gone@x.test');
      if (!gone) return results;
      const error = DeliveryError.permanent('404 UNREGISTERED', {
        providerCode: 'UNREGISTERED',
        feedback: 'address-invalid',
      });
      return [...results, { dispatchId: gone.dispatch.id, result: err(error) }];
    };
    const to = sitemsg.recipients('test', [{ id: 7, email: 'gone@x.test' }, 'ok@x.test']);
    await sitemsg.scheduleMessages('hello', to);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, failed: 1 });
    const [gone] = await sitemsg.store.listDispatches({ status: 'failed' });
    expect((await sitemsg.store.listFeedback(gone!.id)).map((f) => [f.kind, f.providerCode])).toEqual([
      ['address-invalid', 'UNREGISTERED'],
    ]);
    expect(dead.map((d) => [d.address, d.userId])).toEqual([['gone@x.test', '7']]);
    const [next] = await sitemsg.scheduleMessages(
      'again',
      sitemsg.recipients('test', ['gone@x.test', 'ok@x.test']),
    );
    expect(next!.dispatches.map((d) => d.address)).toEqual(['ok@x.test']);
  });
});
