import {
  createSitemsg,
  ManualClock,
  type MessageTypeClass,
  type Sitemsg,
  type SitemsgOptions,
} from '../src/index.js';
import {
  DeliveryError,
  type DispatchResult,
  err,
  Messenger,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '../src/plugin.js';

/** A messenger that records what it was asked to send and fails addresses it was told to fail. */
export class TestMessenger extends Messenger {
  static override alias = 'test';
  readonly sent: OutgoingDispatch[] = [];
  readonly failPermanently: Set<string> = new Set();
  readonly failRetryably: Set<string> = new Set();
  warmUpError: Error | null = null;
  warmUps = 0;
  coolDowns = 0;

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }

  override validateAddress(address: string): boolean {
    return address.includes('@');
  }

  override async warmUp(): Promise<void> {
    this.warmUps++;
    if (this.warmUpError) throw this.warmUpError;
  }

  override async coolDown(): Promise<void> {
    this.coolDowns++;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map((item) => {
      const { address, id } = item.dispatch;
      if (this.failPermanently.has(address)) {
        return {
          dispatchId: id,
          result: err(new DeliveryError('550 no such user', { statusCode: 550, retryable: false })),
        };
      }
      if (this.failRetryably.has(address)) {
        return { dispatchId: id, result: err(new DeliveryError('421 try later', { retryable: true })) };
      }
      this.sent.push(item);
      return { dispatchId: id, result: ok({ providerMessageId: `p-${id}` }) };
    });
  }
}

export function setup(options: SitemsgOptions & { messageTypes?: MessageTypeClass[] } = {}): {
  sitemsg: Sitemsg;
  clock: ManualClock;
  messenger: TestMessenger;
} {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const messenger = new TestMessenger();
  const sitemsg = createSitemsg({
    clock,
    random: () => 0.5,
    messengers: [messenger],
    secret: 'test-secret-0123456789',
    siteUrl: 'https://example.test',
    workerId: 'worker-1',
    ...options,
  });
  return { sitemsg, clock, messenger };
}
