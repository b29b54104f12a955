import { EmailTextMessage } from '@sitemsg/core';
import { DeliveryError, MessengerWarmupError, type OutgoingDispatch } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import type { SmtpMessenger } from '../src/index.js';
import { engineFor, messengerFor } from './helpers.js';
import { SmtpSink } from './sink.js';

let sink: SmtpSink;
let messenger: SmtpMessenger;

afterEach(async () => {
  await messenger?.close();
  await sink?.stop();
});

const DAY = 24 * 3600 * 1000;

describe('SMTP replies and broken connections', () => {
  it('fails only the dispatch whose recipient gets a 550; the others of the batch are sent', async () => {
    sink = await SmtpSink.start({ starttls: false });
    sink.rejectRecipient.set('gone@example.org', 550);
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger);
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['ann@example.org', 'gone@example.org', 'bob@example.org']),
    );
    const failed: unknown[] = [];
    sitemsg.on('dispatch:failed', ({ error }) => {
      failed.push(error);
    });
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 2, error: 0, failed: 1, skipped: 0 });
    expect(sink.arrived.map((m) => m.rcptTo[0]).sort()).toEqual(['ann@example.org', 'bob@example.org']);
    const gone = scheduled!.dispatches.find((d) => d.address === 'gone@example.org')!;
    const record = await sitemsg.store.getDispatch(gone.id);
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record!.lastError).toBe(
      'DeliveryError: [sitemsg] [smtp] the SMTP server answered 550 to RCPT TO for gone@example.org: 550 5.1.1 No such user here; it will not be retried.',
    );
    expect(failed).toHaveLength(1);
  });

  it('maps the reply to a DeliveryError with the SMTP code and the enhanced status code', async () => {
    sink = await SmtpSink.start({ starttls: false });
    sink.rejectRecipient.set('gone@example.org', 550);
    sink.rejectRecipient.set('busy@example.org', 450);
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger);
    const outgoing: OutgoingDispatch[] = [];
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['gone@example.org', 'busy@example.org']),
    );
    for (const dispatch of scheduled!.dispatches) {
      outgoing.push({
        dispatch,
        message: scheduled!.message,
        compiled: { subject: 'Hi', text: 'Hello' },
        unsubscribeUrl: '',
        markReadUrl: '',
      });
    }
    await messenger.warmUp();
    const results = await messenger.send(outgoing);
    const byAddress = new Map(results.map((r, i) => [outgoing[i]!.dispatch.address, r.result]));
    const gone = byAddress.get('gone@example.org')!;
    const busy = byAddress.get('busy@example.org')!;
    expect(gone.ok).toBe(false);
    expect(busy.ok).toBe(false);
    if (gone.ok || busy.ok) return;
    expect(gone.error).toBeInstanceOf(DeliveryError);
    expect(gone.error).toMatchObject({ retryable: false, statusCode: 550, providerCode: '5.1.1' });
    expect(busy.error).toMatchObject({ retryable: true, statusCode: 450, providerCode: '4.2.1' });
  });

  it('treats a server answering 421 as retryable (a warm-up error for the batch), then sends once it recovers', async () => {
    sink = await SmtpSink.start({ starttls: false });
    sink.refuseConnections = 421;
    messenger = messengerFor(sink);
    const { sitemsg, clock } = engineFor(messenger);
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', ['ann@example.org', 'bob@example.org']),
    );
    await expect(messenger.warmUp()).rejects.toThrow(/421/);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 2, failed: 0 });
    const record = await sitemsg.store.getDispatch(scheduled!.dispatches[0]!.id);
    expect(record).toMatchObject({ status: 'error' });
    expect(record!.nextAttemptAt).not.toBeNull();

    sink.refuseConnections = null;
    clock.advance(DAY);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2 });
  });

  it('treats a 421 to RCPT TO as retryable for that dispatch', async () => {
    sink = await SmtpSink.start({ starttls: false });
    sink.rejectRecipient.set('ann@example.org', 421);
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', 'ann@example.org'),
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 0 });
  });

  it('treats a connection dropped in the middle of DATA as retryable, and delivers on the next attempt', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink);
    const { sitemsg, clock } = engineFor(messenger);
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'x'.repeat(200_000)),
      sitemsg.recipients('smtp', 'ann@example.org'),
    );
    sink.dropInData = true;
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 0 });
    const record = await sitemsg.store.getDispatch(scheduled!.dispatches[0]!.id);
    expect(record).toMatchObject({ status: 'error' });
    expect(record!.lastError).toMatch(/connection|closed/i);
    expect(sink.arrived).toHaveLength(0);

    sink.dropInData = false;
    clock.advance(DAY);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(sink.arrived).toHaveLength(1);
    expect(sink.arrived[0]!.parsed.messageId).toContain(`dispatch-${scheduled!.dispatches[0]!.id}@`);
  });

  it('verifies again after a connection failure: an unreachable server is a retryable warm-up error', async () => {
    sink = await SmtpSink.start({ starttls: false });
    messenger = messengerFor(sink);
    const { sitemsg, clock } = engineFor(messenger);
    const to = sitemsg.recipients('smtp', 'ann@example.org');
    await sitemsg.scheduleMessages(new EmailTextMessage('1', 'one'), to);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });

    await sink.stop();
    await sitemsg.scheduleMessages(new EmailTextMessage('2', 'two'), to);
    // The pooled connection is gone: the send fails retryably and marks the server as unverified.
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1 });
    await expect(messenger.warmUp()).rejects.toBeInstanceOf(MessengerWarmupError);
    expect(await messenger.healthCheck()).toMatchObject({ status: 'unhealthy' });

    await sink.restart();
    clock.advance(DAY);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(sink.arrived.map((m) => m.parsed.subject)).toEqual(['1', '2']);
    expect(await messenger.healthCheck()).toMatchObject({ status: 'healthy' });
  });

  it('treats a login refused after the first batch as retryable, and verifies again before the next one', async () => {
    sink = await SmtpSink.start({
      starttls: false,
      auth: { user: 'shop', pass: 'pw' },
      allowInsecureAuth: true,
    });
    messenger = messengerFor(sink, { auth: { user: 'shop', pass: 'pw' } });
    const { sitemsg, clock } = engineFor(messenger);
    const to = sitemsg.recipients('smtp', 'ann@example.org');
    await sitemsg.scheduleMessages(new EmailTextMessage('1', 'one'), to);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });

    // The password was revoked: pooled sessions are cut and new logins refused.
    sink.refuseAuth = true;
    sink.dropConnections();
    const [second] = await sitemsg.scheduleMessages(new EmailTextMessage('2', 'two'), to);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1, failed: 0 });
    const record = await sitemsg.store.getDispatch(second!.dispatches[0]!.id);
    expect(record!.lastError).toMatch(/refused the login.*535.*will be retried/);
    await expect(messenger.warmUp()).rejects.toThrow(/535/);

    sink.refuseAuth = false;
    clock.advance(DAY);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
  });
});
