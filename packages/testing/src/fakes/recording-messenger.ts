import {
  DeliveryError,
  type DispatchResult,
  err,
  type HealthStatus,
  Messenger,
  type MessengerOptions,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '@sitemsg/core/plugin';

export interface RecordingMessengerOptions extends MessengerOptions {
  /** The user field that holds the address. Default `email`. */
  readonly userField?: string;
  /** Which raw addresses are valid. Default: any non-blank string. */
  readonly validate?: (address: string) => boolean;
}

/**
 * A messenger for applications' own tests: sends nothing, records every dispatch it was given in
 * `sent`, and can be told to refuse addresses or to fail its warm-up (a provider outage).
 *
 * ```ts
 * const recording = new RecordingMessenger();
 * const sitemsg = createSitemsg({ messengers: [recording] });
 * // ... schedule and send ...
 * expect(recording.sentTo('ada@example.test')[0]?.compiled.text).toContain('Welcome');
 * ```
 */
export class RecordingMessenger extends Messenger {
  static override alias: string = 'recording';
  /** Every dispatch accepted so far, in order. */
  readonly sent: OutgoingDispatch[] = [];
  private readonly userField: string;
  private readonly validate: ((address: string) => boolean) | null;
  private readonly refusals = new Map<string, 'permanent' | 'retryable'>();
  private warmUpFailure: string | null = null;
  private counters = { warmUps: 0, coolDowns: 0 };

  constructor(options: RecordingMessengerOptions = {}) {
    super(options);
    this.userField = options.userField ?? 'email';
    this.validate = options.validate ?? null;
  }

  /** Refuses deliveries to `address` permanently or retryably; `null` accepts them again. */
  failAddress(address: string, kind: 'permanent' | 'retryable' | null): void {
    if (kind === null) this.refusals.delete(address);
    else this.refusals.set(address, kind);
  }

  /** Makes `warmUp()` throw with `reason` (and the health check report it); `null` heals it. */
  failWarmUp(reason: string | null): void {
    this.warmUpFailure = reason;
  }

  /** The dispatches sent to one address, in order. */
  sentTo(address: string): OutgoingDispatch[] {
    return this.sent.filter((o) => o.dispatch.address === address);
  }

  get warmUps(): number {
    return this.counters.warmUps;
  }

  get coolDowns(): number {
    return this.counters.coolDowns;
  }

  /** Forgets what was sent and every failure it was told to simulate. */
  reset(): void {
    this.sent.length = 0;
    this.refusals.clear();
    this.warmUpFailure = null;
    this.counters = { warmUps: 0, coolDowns: 0 };
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    const value = user[this.userField];
    return typeof value === 'string' ? value : undefined;
  }

  override validateAddress(address: string): boolean {
    return this.validate ? this.validate(address) : super.validateAddress(address);
  }

  override async warmUp(): Promise<void> {
    this.counters.warmUps++;
    if (this.warmUpFailure !== null) throw new Error(`[sitemsg] [${this.alias}] ${this.warmUpFailure}`);
  }

  override async coolDown(): Promise<void> {
    this.counters.coolDowns++;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map((item) => {
      const { id, address } = item.dispatch;
      const refusal = this.refusals.get(address);
      if (refusal) {
        const error = new DeliveryError(
          `[sitemsg] [${this.alias}] ${address} was refused (${refusal}, as the test asked).`,
          { retryable: refusal === 'retryable', statusCode: refusal === 'retryable' ? 503 : 400 },
        );
        return { dispatchId: id, result: err(error) };
      }
      this.sent.push(item);
      return { dispatchId: id, result: ok({ providerMessageId: `recording-${id}` }) };
    });
  }

  override async healthCheck(): Promise<HealthStatus> {
    if (this.warmUpFailure !== null) return { status: 'unhealthy', detail: this.warmUpFailure };
    return { status: 'healthy' };
  }
}
