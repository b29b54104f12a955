import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  readonly to: readonly string[];
  readonly mail: ParsedMail;
}

/**
 * A local SMTP server that accepts everything and keeps it (parsed): the demo's "mail provider",
 * so nothing leaves the machine. Production points the SMTP messenger at a real relay instead.
 */
export class MailSink {
  readonly mails: SunkMail[] = [];
  port = 0;
  private readonly server: SMTPServer;
  private readonly onMail: ((mail: SunkMail) => void) | undefined;

  constructor(onMail?: (mail: SunkMail) => void) {
    this.onMail = onMail;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      disableReverseLookup: true,
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            const sunk = { to: session.envelope.rcptTo.map((r) => r.address), mail };
            this.mails.push(sunk);
            this.onMail?.(sunk);
            callback();
          })
          .catch(callback);
      },
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
