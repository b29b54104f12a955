import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export const TLS_KEY: Buffer = readFileSync(new URL('./fixtures/key.pem', import.meta.url));
export const TLS_CERT: Buffer = readFileSync(new URL('./fixtures/cert.pem', import.meta.url));

export interface Arrived {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
  /** Whether the session was encrypted (STARTTLS or implicit TLS) when the message arrived. */
  readonly secure: boolean;
  readonly user: unknown;
  /** What the client announced in EHLO. */
  readonly ehlo: string;
}

export interface SinkOptions {
  /** Offer STARTTLS with the test certificate (default) or refuse the STARTTLS command altogether. */
  readonly starttls?: boolean;
  /** Implicit TLS from the first byte. */
  readonly secure?: boolean;
  /** Require AUTH with these credentials (allowed methods default to PLAIN and LOGIN). */
  readonly auth?: { user: string; pass: string; methods?: string[] };
  /** Accept AUTH over a plain connection (test only). */
  readonly allowInsecureAuth?: boolean;
  readonly port?: number;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that records what arrives and can be told to
 * refuse: a recipient (any reply code), every connection (e.g. 421), logins, or to drop the
 * connection in the middle of DATA.
 */
export class SmtpSink {
  readonly arrived: Arrived[] = [];
  /** SMTP sessions opened so far. */
  connections = 0;
  mailFromCommands = 0;
  authAttempts = 0;
  readonly rejectRecipient: Map<string, number> = new Map();
  refuseConnections: number | null = null;
  refuseAuth = false;
  dropInData = false;
  private readonly sockets = new Set<Socket>();
  private server: SMTPServer;
  private readonly options: SinkOptions;
  port = 0;

  private constructor(options: SinkOptions) {
    this.options = options;
    this.server = this.build();
  }

  static async start(options: SinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options);
    await sink.listen(options.port ?? 0);
    return sink;
  }

  /** The headers of a raw message, unfolded, lower-case names; all values of each. */
  static headers(raw: string): Map<string, string[]> {
    const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
    const map = new Map<string, string[]>();
    for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 1) continue;
      const name = line.slice(0, colon).toLowerCase();
      map.set(name, [...(map.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    return map;
  }

  private build(): SMTPServer {
    const o = this.options;
    const disabled = [...(o.auth ? [] : ['AUTH']), ...(o.starttls === false ? ['STARTTLS'] : [])];
    const config: SMTPServerOptions = {
      secure: o.secure ?? false,
      key: TLS_KEY,
      cert: TLS_CERT,
      disableReverseLookup: true,
      logger: false,
      disabledCommands: disabled,
      hideSTARTTLS: o.starttls === false,
      authOptional: !o.auth,
      allowInsecureAuth: o.allowInsecureAuth ?? false,
      authMethods: o.auth?.methods ?? ['PLAIN', 'LOGIN'],
      size: 10 * 1024 * 1024,
      onConnect: (_session, callback) => {
        this.connections++;
        if (this.refuseConnections !== null) {
          return callback(smtpError(this.refuseConnections, 'Service not available, try later'));
        }
        callback();
      },
      onAuth: (auth, _session, callback) => {
        this.authAttempts++;
        const ok = !this.refuseAuth && auth.username === o.auth?.user && auth.password === o.auth?.pass;
        if (!ok) return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
        callback(null, { user: `${auth.method}:${auth.username}` });
      },
      onMailFrom: (_address, _session, callback) => {
        this.mailFromCommands++;
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        const code = this.rejectRecipient.get(address.address);
        if (code === undefined) return callback();
        callback(smtpError(code, code >= 500 ? '5.1.1 No such user here' : '4.2.1 Mailbox busy, try later'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('error', () => undefined);
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (this.dropInData) this.dropConnections();
        });
        stream.on('end', () => {
          if (this.dropInData) return;
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then((parsed) => {
            const { envelope } = session;
            this.arrived.push({
              mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
              rcptTo: envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              secure: session.secure,
              user: session.user,
              ehlo: session.hostNameAppearsAs,
            });
            callback();
          }, callback);
        });
      },
    };
    const server = new SMTPServer(config);
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  }

  /** Open SMTP sockets right now. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Cuts every open SMTP session at once, without a reply (the top socket: TLS included). */
  dropConnections(): void {
    for (const connection of this.server.connections) connection._socket.destroy();
  }

  /** Stops listening (synchronously) and cuts every open connection: the provider becomes unreachable. */
  stop(): Promise<void> {
    this.dropConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `stop()` (the bind happens before any I/O of the caller). */
  restart(): Promise<void> {
    this.server = this.build();
    return this.listen(this.port);
  }
}

/** Waits for a condition that a real event will make true, polling briefly; fails after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
