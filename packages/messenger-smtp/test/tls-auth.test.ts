import { EmailTextMessage } from '@sitemsg/core';
import { MessengerWarmupError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import type { SmtpMessenger } from '../src/index.js';
import { engineFor, messengerFor } from './helpers.js';
import { SmtpSink, TLS_CERT } from './sink.js';

let sink: SmtpSink;
let messenger: SmtpMessenger;

afterEach(async () => {
  await messenger?.close();
  await sink?.stop();
});

async function sendOne(m: SmtpMessenger): Promise<{ sent: number; error: number; failed: number }> {
  const { sitemsg } = engineFor(m);
  await sitemsg.scheduleMessages(
    new EmailTextMessage('Secret', 'over TLS'),
    sitemsg.recipients('smtp', 'ann@example.org'),
  );
  return sitemsg.sendScheduledMessages();
}

describe('TLS and authentication', () => {
  it('upgrades with STARTTLS (self-signed certificate trusted through tls.ca) when requireTLS is set', async () => {
    sink = await SmtpSink.start();
    messenger = messengerFor(sink, { requireTLS: true, tls: { ca: [TLS_CERT] } });
    await messenger.warmUp();
    expect(await sendOne(messenger)).toMatchObject({ sent: 1 });
    expect(sink.arrived[0]).toMatchObject({ secure: true, rcptTo: ['ann@example.org'] });
    expect(sink.arrived[0]!.parsed.text?.trim()).toBe('over TLS');
  });

  it('refuses a certificate it does not trust: a warm-up error, nothing sent', async () => {
    sink = await SmtpSink.start();
    messenger = messengerFor(sink, { requireTLS: true });
    await expect(messenger.warmUp()).rejects.toBeInstanceOf(MessengerWarmupError);
    expect(sink.mailFromCommands).toBe(0);
  });

  it('with requireTLS, a server without STARTTLS is a warm-up error and nothing goes out in plain text', async () => {
    sink = await SmtpSink.start({
      starttls: false,
      auth: { user: 'shop', pass: 's3cret-pw' },
      allowInsecureAuth: true,
    });
    messenger = messengerFor(sink, { requireTLS: true, auth: { user: 'shop', pass: 's3cret-pw' } });
    const warmUp = messenger.warmUp();
    await expect(warmUp).rejects.toBeInstanceOf(MessengerWarmupError);
    await expect(warmUp).rejects.toThrow(
      /\[sitemsg\] \[smtp\] cannot use the SMTP server at 127\.0\.0\.1:\d+: .*STARTTLS/,
    );
    await expect(warmUp).rejects.not.toThrow(/s3cret-pw/);
    // Through the engine: every dispatch of the batch gets a retryable error; the server saw no login and no mail.
    expect(await sendOne(messenger)).toMatchObject({ sent: 0, error: 1 });
    expect(sink.authAttempts).toBe(0);
    expect(sink.mailFromCommands).toBe(0);
    expect(sink.arrived).toHaveLength(0);
  });

  it('uses implicit TLS with secure: true', async () => {
    sink = await SmtpSink.start({ secure: true });
    messenger = messengerFor(sink, { secure: true, tls: { ca: [TLS_CERT] } });
    expect(await sendOne(messenger)).toMatchObject({ sent: 1 });
    expect(sink.arrived[0]!.secure).toBe(true);
  });

  for (const method of ['PLAIN', 'LOGIN'] as const) {
    it(`logs in with AUTH ${method} after STARTTLS`, async () => {
      sink = await SmtpSink.start({ auth: { user: 'shop', pass: 'pw-123', methods: [method] } });
      messenger = messengerFor(sink, {
        requireTLS: true,
        tls: { ca: [TLS_CERT] },
        auth: { user: 'shop', pass: 'pw-123', method },
      });
      expect(await sendOne(messenger)).toMatchObject({ sent: 1 });
      expect(sink.arrived[0]).toMatchObject({ secure: true, user: `${method}:shop` });
    });
  }

  it('reports refused credentials as a warm-up error without the password', async () => {
    sink = await SmtpSink.start({ auth: { user: 'shop', pass: 'right' } });
    messenger = messengerFor(sink, {
      requireTLS: true,
      tls: { ca: [TLS_CERT] },
      auth: { user: 'shop', pass: 'wrong-pass' },
    });
    const warmUp = messenger.warmUp();
    await expect(warmUp).rejects.toBeInstanceOf(MessengerWarmupError);
    await expect(warmUp).rejects.toThrow(/535/);
    await expect(warmUp).rejects.not.toThrow(/wrong-pass/);
    expect(await messenger.healthCheck()).toMatchObject({ status: 'unhealthy' });
    expect(JSON.stringify(await messenger.healthCheck())).not.toContain('wrong-pass');
  });
});
