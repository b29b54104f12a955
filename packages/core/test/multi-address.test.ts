import { describe, expect, it } from 'vitest';
import { createSitemsg, ManualClock, MessageType } from '../src/index.js';
import {
  type DispatchResult,
  Messenger,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '../src/plugin.js';

/** A push-like channel: a user has a device token per device, maybe none. */
class DevicesMessenger extends Messenger {
  static override alias = 'devices';
  readonly sent: string[] = [];

  protected override addressesFromUser(user: SitemsgUser): readonly string[] {
    return Array.isArray(user.devices) ? (user.devices as string[]) : [];
  }

  override validateAddress(address: string): boolean {
    return /^tok-[a-z0-9]+$/.test(address);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map(({ dispatch }) => {
      this.sent.push(dispatch.address);
      return { dispatchId: dispatch.id, result: ok({}) };
    });
  }
}

class Alert extends MessageType<{ text: string }> {
  static override alias = 'alert';
  static override allowUserSubscription = true;
}

const ada = { id: 1, devices: ['tok-a1', 'tok-a2', 'tok-a3'] };
const bob = { id: 2, devices: [] };

function setup(getUsers?: (ids: readonly string[]) => Promise<SitemsgUser[]>) {
  const messenger = new DevicesMessenger();
  const sitemsg = createSitemsg({
    clock: new ManualClock(),
    messengers: [messenger],
    messageTypes: [Alert],
    ...(getUsers && { getUsers }),
  });
  return { sitemsg, messenger };
}

describe('recipients with several addresses', () => {
  it('gives one recipient per device, none for a user without devices, and refuses a bad token', () => {
    const { sitemsg, messenger } = setup();
    expect(messenger.multipleAddresses).toBe(true);
    expect(sitemsg.recipients('devices', [ada, bob])).toEqual([
      { messenger: 'devices', address: 'tok-a1', userId: '1' },
      { messenger: 'devices', address: 'tok-a2', userId: '1' },
      { messenger: 'devices', address: 'tok-a3', userId: '1' },
    ]);
    expect(sitemsg.recipients('devices', bob)).toEqual([]);
    expect(() => sitemsg.recipients('devices', { id: 3, devices: ['tok-ok', 'not a token'] })).toThrow(
      /"not a token" is not a valid address/,
    );
  });

  it('schedules a dispatch per device, each sent and tracked on its own', async () => {
    const { sitemsg, messenger } = setup();
    const [scheduled] = await sitemsg.scheduleMessages(
      new Alert({ text: 'hi' }),
      sitemsg.recipients('devices', ada),
    );
    expect(scheduled!.dispatches.map((d) => d.address)).toEqual(['tok-a1', 'tok-a2', 'tok-a3']);
    expect(new Set(scheduled!.dispatches.map((d) => d.id)).size).toBe(3);
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent.sort()).toEqual(['tok-a1', 'tok-a2', 'tok-a3']);
  });

  it('prepares a dispatch per current device of each subscribed user', async () => {
    const users = new Map<string, SitemsgUser>([
      ['1', ada],
      ['2', bob],
    ]);
    const { sitemsg } = setup(async (ids) => ids.flatMap((id) => users.get(id) ?? []));
    await sitemsg.subscribe('alert', { messenger: 'devices', address: 'tok-a1', userId: '1' });
    await sitemsg.subscribe('alert', { messenger: 'devices', address: 'tok-old', userId: '2' });
    const [message] = await sitemsg.scheduleMessages(new Alert({ text: 'for subscribers' }));
    expect(await sitemsg.prepareDispatches()).toBe(1);
    const dispatches = await sitemsg.store.listDispatches({ messageId: message!.message.id });
    expect(dispatches.map((d) => d.address).sort()).toEqual(['tok-a1', 'tok-a2', 'tok-a3']);
  });
});
