import { Eta } from 'eta';
import { describe, expect, it } from 'vitest';
import {
  configureSitemsg,
  createSitemsg,
  getMessageTypeForApp,
  MemoryStore,
  MessageType,
  overrideMessageTypeForApp,
  prepareDispatches,
  recipients,
  registerMessageTypes,
  registerMessengerObjects,
  scheduleMessages,
  sendScheduledMessages,
  type TemplateRenderer,
} from '../src/index.js';
import type { Store } from '../src/plugin.js';
import { setup, TestMessenger } from './helpers.js';

describe('worker', () => {
  it('sends what is scheduled while it runs, sleeps on the injected clock when idle, and stops on abort', async () => {
    const { sitemsg, messenger, clock } = setup();
    const stop = new AbortController();
    const rounds: number[] = [];
    const running = sitemsg.work({
      pollInterval: 5000,
      signal: stop.signal,
      handleSignals: false,
      onRound: (t) => void rounds.push(t.sent),
    });
    await until(() => clock.pendingSleeps === 1);
    await sitemsg.scheduleMessages('hello', sitemsg.recipients('test', 'a@x.test'));
    expect(messenger.sent).toHaveLength(0);
    clock.advance(5000);
    await until(() => messenger.sent.length === 1 && clock.pendingSleeps === 1);
    stop.abort();
    expect(await running).toEqual({ sent: 1, error: 0, failed: 0, skipped: 0 });
    expect(rounds.at(-1)).toBe(1);
  });

  it('logs a failing store round and carries on after the poll interval', async () => {
    const store = new MemoryStore();
    const logs: string[] = [];
    let failures = 1;
    const flaky: Store = Object.assign(Object.create(store) as Store, {
      claim: (req: Parameters<Store['claim']>[0]) => {
        if (failures-- > 0) return Promise.reject(new Error('connection reset'));
        return store.claim(req);
      },
    });
    const { sitemsg, messenger, clock } = setup({
      store: flaky,
      logger: { error: (m) => void logs.push(m) },
    });
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    const stop = new AbortController();
    const running = sitemsg.work({ pollInterval: 100, signal: stop.signal, handleSignals: false });
    await until(() => clock.pendingSleeps === 1);
    expect(logs[0]).toMatch(/worker round failed.*connection reset/);
    clock.advance(100);
    await until(() => messenger.sent.length === 1);
    stop.abort();
    await running;
  });
});

describe('events, health and test messages', () => {
  it('reports a failing event handler to the logger without breaking the send', async () => {
    const errors: string[] = [];
    const { sitemsg, messenger } = setup({ logger: { error: (m) => void errors.push(m) } });
    sitemsg.on('dispatch:sent', () => {
      throw new Error('handler bug');
    });
    const scheduled: string[] = [];
    sitemsg.on('message:scheduled', (e) => void scheduled.push(e.message.type));
    await sitemsg.scheduleMessages('x', sitemsg.recipients('test', 'a@x.test'));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(messenger.sent).toHaveLength(1);
    expect(errors[0]).toMatch(/"dispatch:sent" handler failed: Error: handler bug/);
    expect(scheduled).toEqual(['plain']);
  });

  it('aggregates health as the worst status, counting a throwing check as unhealthy', async () => {
    const broken = new TestMessenger({ alias: 'broken' });
    broken.healthCheck = () => Promise.reject(new Error('auth refused'));
    const { sitemsg } = setup({ messengers: [new TestMessenger(), broken] });
    expect(await sitemsg.healthCheck()).toEqual({
      status: 'unhealthy',
      components: {
        'store:memory': { status: 'healthy', detail: '0 dispatches in memory' },
        'messenger:test': { status: 'healthy' },
        'messenger:broken': { status: 'unhealthy', detail: 'auth refused' },
      },
    });
  });

  it('sends a test message straight through the messenger and validates the address', async () => {
    const { sitemsg, messenger } = setup();
    const result = await sitemsg.sendTestMessage('test', { to: 'ops@x.test' });
    expect(result.ok).toBe(true);
    expect(messenger.sent[0]?.compiled.text).toBe('This is a sitemsg test message.');
    await expect(sitemsg.sendTestMessage('test', { to: 'nope' })).rejects.toThrow(/not a valid address/);
    expect(await sitemsg.store.countDispatches()).toMatchObject({ pending: 0, sent: 0 });
  });
});

describe('template renderer', () => {
  it('renders a template per messenger with the default context through a pluggable engine', async () => {
    const eta = new Eta({ autoEscape: true });
    const templates: Record<string, string> = {
      'welcome/test':
        'Hi <%= it.name %>! <%= it.greeting %> <%= it.siteUrl %> <%= it.directiveUnsubscribe %>',
    };
    const renderer: TemplateRenderer = { render: (name, data) => eta.renderString(templates[name]!, data) };
    class Welcome extends MessageType<{ name: string; subject: string }> {
      static override alias = 'welcome';
      static override template = 'welcome/{messenger}';
      static override allowUserSubscription = true;
      static override getTemplateContext(): Record<string, unknown> {
        return { greeting: 'Welcome aboard.' };
      }
    }
    const { sitemsg, messenger } = setup({ messageTypes: [Welcome], renderer });
    await sitemsg.scheduleMessages(
      new Welcome({ name: '<Ann>', subject: 'Hello' }),
      sitemsg.recipients('test', 'a@x.test'),
    );
    await sitemsg.sendScheduledMessages();
    expect(messenger.sent[0]?.compiled.subject).toBe('Hello');
    expect(messenger.sent[0]?.compiled.text).toMatch(
      /^Hi &lt;Ann&gt;! Welcome aboard\. https:\/\/example\.test https:\/\/example\.test\/sitemsg\/unsubscribe\//,
    );
  });
});

describe('the default instance behind the toolbox functions', () => {
  it('schedules and sends through whatever the application configured', async () => {
    class LibWelcome extends MessageType {
      static override alias = 'lib_welcome';
    }
    class AppWelcome extends MessageType {
      static override alias = 'app_welcome';
      static override allowUserSubscription = true;
    }
    const messenger = new TestMessenger();
    configureSitemsg(createSitemsg({ workerId: 'default' }));
    registerMessengerObjects(messenger);
    registerMessageTypes(LibWelcome, AppWelcome);
    overrideMessageTypeForApp('lib', 'lib_welcome', 'app_welcome');
    const Type = getMessageTypeForApp('lib', 'lib_welcome');
    expect(Type).toBe(AppWelcome);
    await scheduleMessages(new Type({ text: 'from the library' } as never), recipients('test', 'a@x.test'));
    await new AppWelcome({ text: 'to subscribers' }).schedule();
    await AppWelcome.getSubscribers().then((r) => expect(r).toEqual([]));
    await prepareDispatches();
    expect(await sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(messenger.sent[0]?.message.type).toBe('app_welcome');
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
