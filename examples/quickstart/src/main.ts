/**
 * The sitemsg quickstart: one engine with the memory store and a console messenger; messages for
 * explicit recipients and for subscribers; prepare, send, and see what was delivered.
 * Run it with `pnpm quickstart` from the repository root.
 */
import {
  type CompiledMessage,
  createSitemsg,
  EmailTextMessage,
  MessageType,
  type RenderContext,
  type SitemsgUser,
} from '@sitemsg/core';
import { type DispatchResult, Messenger, type OutgoingDispatch, ok } from '@sitemsg/core/plugin';

/** A messenger that delivers by printing. A real app registers SmtpMessenger, TwilioMessenger, ... */
class ConsoleMessenger extends Messenger {
  static override alias = 'console';

  // How this channel finds a user's address: here, the e-mail field.
  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map(({ dispatch, compiled }) => {
      const subject = compiled.subject ? `[${compiled.subject}] ` : '';
      console.log(`  -> ${dispatch.address}: ${subject}${compiled.text}`);
      return { dispatchId: dispatch.id, result: ok({}) };
    });
  }
}

/** A message type users may subscribe to. Its text carries each reader's own signed unsubscribe link. */
class Newsletter extends MessageType<{ issue: number; headline: string }> {
  static override alias = 'newsletter';
  static override title = 'Weekly newsletter';
  static override allowUserSubscription = true;

  static override compile(render: RenderContext): CompiledMessage {
    const { issue, headline } = render.context;
    return {
      subject: `Newsletter #${String(issue)}`,
      text: `${String(headline)} (unsubscribe: ${render.directiveUnsubscribe})`,
    };
  }
}

const users = [
  { id: 1, name: 'Ada', email: 'ada@example.com' },
  { id: 2, name: 'Grace', email: 'grace@example.com' },
  { id: 3, name: 'Linus', email: 'linus@example.com', isActive: false },
];

const sitemsg = createSitemsg({
  // No store given: the in-memory one. Production passes new PostgresStore({ ... }).
  messengers: [new ConsoleMessenger()],
  messageTypes: [Newsletter],
  getUsers: async (ids) => users.filter((user) => ids.includes(String(user.id))),
  secret: 'quickstart-secret-do-not-reuse',
  siteUrl: 'https://shop.example.com',
});

console.log(
  '1. Schedule for explicit recipients: a user (the messenger finds the address) and a raw address',
);
const shipped = await sitemsg.scheduleMessages(
  new EmailTextMessage('Your order shipped', 'Order 42 is on its way.'),
  sitemsg.recipients('console', [users[0]!, 'ops@example.com']),
);
const welcome = await sitemsg.scheduleMessages(
  'Welcome aboard, Grace!', // a plain string is a plain-text message
  sitemsg.recipients('console', users[1]!),
  { priority: 10 }, // claimed before priority 0
);
console.log(`   ${[...shipped, ...welcome].flatMap((r) => r.dispatches).length} dispatches stored`);

console.log('2. Ada and Linus (inactive) subscribe to the newsletter; it is scheduled without recipients');
for (const user of [users[0]!, users[2]!]) {
  await sitemsg.setUserPreferences(user, [{ messageType: 'newsletter', messenger: 'console' }]);
}
await sitemsg.scheduleMessages(new Newsletter({ issue: 1, headline: 'sitemsg 0.1 is out' }));
const prepared = await sitemsg.prepareDispatches(); // addresses it to the active subscribers
console.log(`   prepareDispatches(): ${prepared} postponed message addressed to its subscribers`);

console.log('3. Send what is due, highest priority first');
const counts = await sitemsg.sendScheduledMessages();
console.log(
  `   sent ${counts.sent} / error ${counts.error} / failed ${counts.failed} / skipped ${counts.skipped}`,
);
await sitemsg.close();
