import { type FakeProvider, messengerConformance, type ReceivedMessage } from '@sitemsg/testing/messenger';
import { SmtpMessenger } from '../src/index.js';
import { SmtpSink, TLS_CERT } from './sink.js';

const AUTH = { user: 'sitemsg', pass: 'conformance-pw' };

/** smtp-server as the provider: STARTTLS, AUTH, a 550/450 per refused address, down = not listening. */
function providerFor(sink: SmtpSink): FakeProvider & { settle(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  let down = false;
  return {
    async received(): Promise<readonly ReceivedMessage[]> {
      await pending;
      return sink.arrived.map((mail) => {
        const id = /^<dispatch-(.+)@[^@]+>$/.exec(mail.parsed.messageId ?? '')?.[1];
        return {
          address: mail.rcptTo[0] ?? '',
          text: mail.parsed.text ?? '',
          ...(mail.parsed.subject !== undefined && { subject: mail.parsed.subject }),
          ...(id !== undefined && {
            dispatchId: id.replace(/=([0-9A-F]{4})/g, (_, hex: string) =>
              String.fromCharCode(Number.parseInt(hex, 16)),
            ),
          }),
        };
      });
    },
    failAddress(address, kind) {
      sink.rejectRecipient.set(address, kind === 'permanent' ? 550 : 450);
    },
    failAll(kind) {
      sink.refuseAuth = kind === 'auth';
      // Sessions already logged in would keep working: credentials are checked on the next connection.
      if (kind === 'auth') sink.dropConnections();
      if (kind === 'network' && !down) {
        down = true;
        pending = sink.stop();
      } else if (kind !== 'network' && down) {
        down = false;
        pending = sink.restart();
      }
    },
    settle: () => pending,
  };
}

messengerConformance('SmtpMessenger', {
  async setup() {
    const sink = await SmtpSink.start({ auth: { ...AUTH } });
    const provider = providerFor(sink);
    const messenger = new SmtpMessenger({
      host: '127.0.0.1',
      port: sink.port,
      requireTLS: true,
      tls: { ca: [TLS_CERT] },
      auth: AUTH,
      from: '"Conformance" <conformance@example.com>',
      healthTimeoutMs: 5000,
    });
    return {
      messenger,
      provider,
      validAddresses: ['ann@example.org', 'bob@example.net', 'carol.smith+news@mail.example.com'],
      invalidAddress: 'not-an-email',
      user: { id: 7, email: 'user7@example.org' },
      userAddress: 'user7@example.org',
      async teardown() {
        await provider.settle().catch(() => undefined);
        await sink.stop();
      },
    };
  },
});
