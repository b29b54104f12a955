import {
  type DispatchResult,
  err,
  type HealthStatus,
  Messenger,
  MessengerWarmupError,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '@sitemsg/core/plugin';
import nodemailer, { type Transporter } from 'nodemailer';
import { domainOf, isEmailAddress } from './address.js';
import { type ComposeSettings, composeMail } from './compose.js';
import { isSessionFailure, toDeliveryError } from './errors.js';
import {
  resolveSettings,
  type SmtpMessengerOptions,
  type SmtpServerOptions,
  type SmtpSettings,
} from './options.js';

/**
 * E-mail over SMTP with nodemailer. One dispatch is one message to one envelope recipient.
 * Connections are pooled and kept across batches: `warmUp` verifies the server once (and again
 * after a connection or login failure), `coolDown` leaves the pool open, `close` ends it.
 *
 * ```ts
 * new SmtpMessenger({ host: 'smtp.example.com', port: 587, requireTLS: true,
 *   auth: { user, pass }, from: '"Shop" <shop@example.com>' })
 * ```
 */
export class SmtpMessenger extends Messenger {
  static override alias: string = 'smtp';

  private readonly options: SmtpMessengerOptions;
  private readonly settings: SmtpSettings;
  private readonly compose: ComposeSettings;
  /** False when the application passed its transporter in: then it is the application's to close. */
  private readonly ownsTransporter: boolean;
  private transporter: Transporter | null = null;
  private verified = false;
  private verifying: Promise<void> | null = null;

  constructor(options: SmtpMessengerOptions) {
    super(options);
    this.settings = resolveSettings(this.alias, options);
    this.options = options;
    this.ownsTransporter = !('transporter' in options && options.transporter);
    this.compose = {
      alias: this.alias,
      from: this.settings.from,
      replyTo: this.settings.replyTo,
      listUnsubscribeMailto: this.settings.listUnsubscribeMailto,
      messageIdDomain: domainOf(this.settings.from.address),
    };
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' && user.email !== '' ? user.email : undefined;
  }

  override validateAddress(address: string): boolean {
    return isEmailAddress(address);
  }

  /** Builds the transporter (no connection yet: the first warm-up connects). */
  override async init(): Promise<void> {
    this.transport();
  }

  /** Verifies the server (connect, STARTTLS, login) unless a previous batch already did and nothing broke since. */
  override async warmUp(): Promise<void> {
    this.transport();
    if (this.verified) return;
    this.verifying ??= this.verify().finally(() => {
      this.verifying = null;
    });
    await this.verifying;
  }

  /** Keeps the pool open: reopening connections for every batch would cost a handshake per batch. */
  override async coolDown(): Promise<void> {}

  /** Closes the pooled connections, unless the transporter was the application's. */
  override async close(): Promise<void> {
    const transporter = this.transporter;
    this.transporter = null;
    this.verified = false;
    if (transporter && this.ownsTransporter) transporter.close();
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    const transporter = this.transport();
    // A pool queues messages itself; a plain transport would open one connection per message at once.
    const lanes = typeof transporter.transporter.isIdle === 'function' ? batch.length : 1;
    const results: DispatchResult[] = new Array(batch.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batch.length) {
        const index = next++;
        results[index] = await this.sendOne(transporter, batch[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, batch.length)) }, lane));
    return results;
  }

  /** Connects, upgrades and logs in (nodemailer's `verify()`), under `healthTimeoutMs`. */
  override async healthCheck(): Promise<HealthStatus> {
    try {
      const checked = await this.verifyOnce(this.transport());
      return checked
        ? { status: 'healthy', detail: `${this.settings.endpoint} accepted the connection and login` }
        : { status: 'healthy', detail: 'the transporter passed in cannot verify; nothing was checked' };
    } catch (error) {
      return { status: 'unhealthy', detail: `${this.settings.endpoint}: ${messageOf(error)}` };
    }
  }

  private async sendOne(transporter: Transporter, item: OutgoingDispatch): Promise<DispatchResult> {
    const { id, address } = item.dispatch;
    const mail = composeMail(this.compose, item, new Date());
    if (!mail.ok) return { dispatchId: id, result: mail };
    try {
      await transporter.sendMail(mail.value);
      return { dispatchId: id, result: ok({ providerMessageId: String(mail.value.messageId) }) };
    } catch (error) {
      if (isSessionFailure(error)) this.verified = false;
      return { dispatchId: id, result: err(toDeliveryError(this.alias, address, error)) };
    }
  }

  private async verify(): Promise<void> {
    try {
      await this.verifyOnce(this.transport());
      this.verified = true;
    } catch (cause) {
      throw new MessengerWarmupError(
        this.alias,
        `cannot use the SMTP server at ${this.settings.endpoint}: ${messageOf(cause)}. Check host, port, TLS and credentials; the batch will be retried.`,
        { cause },
      );
    }
  }

  /** True when verified, false when the transporter has no way to verify. */
  private async verifyOnce(transporter: Transporter): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.settings.healthTimeoutMs} ms`)),
        this.settings.healthTimeoutMs,
      );
    });
    try {
      // Mail#verify returns false (not a promise) for transports without a verify method.
      const verified: unknown = await Promise.race([Promise.resolve(transporter.verify()), timeout]);
      return verified !== false;
    } finally {
      clearTimeout(timer);
    }
  }

  private transport(): Transporter {
    if (this.transporter) return this.transporter;
    this.transporter =
      'transporter' in this.options && this.options.transporter
        ? this.options.transporter
        : nodemailer.createTransport(transportOptions(this.options as SmtpServerOptions));
    return this.transporter;
  }
}

function transportOptions(o: SmtpServerOptions): Parameters<typeof nodemailer.createTransport>[0] {
  const pooled = o.pool ?? true;
  return {
    host: o.host,
    port: o.port ?? (o.secure ? 465 : 587),
    secure: o.secure ?? false,
    requireTLS: o.requireTLS ?? false,
    ...(o.tls && { tls: o.tls }),
    ...(o.auth && { auth: { user: o.auth.user, pass: o.auth.pass } }),
    ...(o.auth?.method && { authMethod: o.auth.method }),
    ...(o.name && { name: o.name }),
    ...(o.connectionTimeout && { connectionTimeout: o.connectionTimeout }),
    ...(o.greetingTimeout && { greetingTimeout: o.greetingTimeout }),
    ...(o.socketTimeout && { socketTimeout: o.socketTimeout }),
    // Message content is base64 from the store: never let it name a file or a URL to read.
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(pooled && {
      pool: true,
      maxConnections: o.maxConnections ?? 5,
      maxMessages: o.maxMessages ?? 100,
      // A pooled connection the server closed while idle is not a delivery failure: one requeue
      // on a fresh connection; anything beyond is the engine's retry, with back-off.
      maxRequeues: 1,
    }),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
