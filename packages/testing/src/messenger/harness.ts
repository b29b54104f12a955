import type { Messenger, SitemsgUser } from '@sitemsg/core/plugin';
import { onTestFinished } from 'vitest';

export interface ReceivedMessage {
  /** The recipient address as the provider saw it. */
  readonly address: string;
  /** The body as the provider saw it (the text part for e-mail). */
  readonly text: string;
  readonly subject?: string;
  /** When the wire carries it (Message-ID, custom_args, ...). */
  readonly dispatchId?: string;
}

/** The local fake of a provider: a real socket on 127.0.0.1 that records and can be told to fail. */
export interface FakeProvider {
  /** What arrived over the wire so far, in arrival order. */
  received(): Promise<readonly ReceivedMessage[]>;
  /** The provider answers deliveries to this address with a permanent or a retryable refusal. */
  failAddress(address: string, kind: 'permanent' | 'retryable'): void;
  /** The whole provider refuses: 'auth' (credentials refused) or 'network' (unreachable); null = normal. */
  failAll(kind: 'auth' | 'network' | null): void;
}

export interface MessengerSetup {
  /** Pointed at the provider. */
  readonly messenger: Messenger;
  readonly provider: FakeProvider;
  readonly validAddresses: readonly [string, string, string];
  /** An address `validateAddress()` rejects. */
  readonly invalidAddress: string;
  /** A user that has an address on this channel. */
  readonly user: SitemsgUser;
  /** That address. */
  readonly userAddress: string;
  /**
   * For a channel where a user has several addresses (push devices, chat ids; the messenger
   * overrides `addressesFromUser`): a user with three valid ones. Required for such a messenger.
   */
  readonly multiAddressUser?: {
    readonly user: SitemsgUser;
    readonly addresses: readonly [string, string, string];
  };
  /**
   * For a channel with no provider account to ask (Web Push: each subscription names its own push
   * service), whose health reflects what the last send learnt: the health case sends one message
   * after each change of the provider's state, before it checks health.
   */
  readonly healthFromSends?: boolean;
  teardown(): Promise<void>;
}

export interface MessengerHarness {
  /** A started fake provider (a real socket on 127.0.0.1) and a messenger pointed at it. */
  setup(): Promise<MessengerSetup>;
}

/**
 * Sets up a fresh provider and messenger for the running test. With `init` (the default) the
 * suite opens the messenger as the engine would; otherwise the test hands it to an engine, which
 * opens and closes it. Everything is torn down when the test finishes.
 */
export async function start(harness: MessengerHarness, init = true): Promise<MessengerSetup> {
  const setup = await harness.setup();
  let opened = false;
  onTestFinished(async () => {
    try {
      if (opened) await setup.messenger.close();
    } finally {
      await setup.teardown();
    }
  });
  if (init) {
    await setup.messenger.init();
    opened = true;
  }
  return setup;
}
