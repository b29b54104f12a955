import { createSitemsg, MemoryStore } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import { RecordingMessenger } from '../src/fakes.js';
import { type FakeProvider, messengerConformance } from '../src/messenger.js';

// The recording messenger is its own "provider": this adapter lets it run the same suite as a
// real channel, so applications can trust it to behave like one in their tests.
messengerConformance('RecordingMessenger', {
  async setup() {
    const messenger = new RecordingMessenger({ validate: (address) => address.includes('@') });
    const provider: FakeProvider = {
      async received() {
        return messenger.sent.map(({ dispatch, compiled }) => ({
          address: dispatch.address,
          text: compiled.text,
          dispatchId: dispatch.id,
          ...(compiled.subject !== undefined && { subject: compiled.subject }),
        }));
      },
      failAddress: (address, kind) => messenger.failAddress(address, kind),
      failAll: (kind) => messenger.failWarmUp(kind && `the provider is down (${kind})`),
    };
    return {
      messenger,
      provider,
      validAddresses: ['a@example.test', 'b@example.test', 'c@example.test'],
      invalidAddress: 'nobody',
      user: { id: 1, email: 'user@example.test' },
      userAddress: 'user@example.test',
      teardown: async () => undefined,
    };
  },
});

describe('RecordingMessenger', () => {
  it('records what an engine sends, refuses what it was told to, and resets', async () => {
    const recording = new RecordingMessenger({ alias: 'mail' });
    const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [recording] });
    recording.failAddress('gone@x.test', 'permanent');
    recording.failAddress('busy@x.test', 'retryable');
    const to = sitemsg.recipients('mail', [
      'ok@x.test',
      'gone@x.test',
      'busy@x.test',
      { id: 7, email: 'u@x.test' },
    ]);
    await sitemsg.scheduleMessages('Welcome aboard', to);
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 2, error: 1, failed: 1, skipped: 0 });
    expect(recording.alias).toBe('mail');
    expect(recording.channel).toBe('recording');
    expect(recording.sent.map((o) => o.dispatch.address).sort()).toEqual(['ok@x.test', 'u@x.test']);
    expect(recording.sentTo('u@x.test')[0]?.compiled.text).toBe('Welcome aboard');
    expect([recording.warmUps, recording.coolDowns]).toEqual([1, 1]);
    recording.reset();
    expect([recording.sent.length, recording.warmUps]).toEqual([0, 0]);
  });

  it('fails its warm-up on request, which the engine records as a retryable error for the batch', async () => {
    const recording = new RecordingMessenger();
    const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [recording] });
    recording.failWarmUp('login refused');
    await sitemsg.scheduleMessages('x', sitemsg.recipients('recording', ['a@x.test', 'b@x.test']));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 2 });
    const [errored] = await sitemsg.store.listDispatches({ status: 'error' });
    expect(errored?.lastError).toContain('login refused');
    expect(await recording.healthCheck()).toMatchObject({ status: 'unhealthy' });
    recording.failWarmUp(null);
    expect(await recording.healthCheck()).toEqual({ status: 'healthy' });
  });
});
