import type { SitemsgOptions } from './engine/options.js';
import type { SendCounts } from './engine/outcomes.js';
import type { PreferencesOptions, PreferencesTable } from './engine/preferences.js';
import type { MessageInput, ScheduleOptions } from './engine/schedule.js';
import type { SendOptions } from './engine/send.js';
import { createSitemsg, type Sitemsg } from './engine/sitemsg.js';
import type { DeliveryError } from './errors.js';
import type { EventHandler, SitemsgEventMap } from './events.js';
import type { MessageTypeClass } from './message-type.js';
import type { Messenger, MessengerClass, SentReceipt } from './messenger.js';
import type { Result } from './result.js';
import type { CleanupResult, ScheduleResult } from './store.js';
import type { Recipient, SitemsgUser } from './types.js';

/**
 * The process-wide default engine behind the function-style toolbox, so that reusable libraries
 * can schedule through whatever the application configured. It starts as a memory-store engine;
 * the application replaces it at start-up with `configureSitemsg({...})`.
 */
let current: Sitemsg | null = null;

export function configureSitemsg(options: SitemsgOptions | Sitemsg): Sitemsg {
  current = 'scheduleMessages' in options ? (options as Sitemsg) : createSitemsg(options as SitemsgOptions);
  return current;
}

export function getDefaultSitemsg(): Sitemsg {
  current ??= createSitemsg();
  return current;
}

export function registerMessengerObjects(...messengers: Messenger[]): void {
  getDefaultSitemsg().registerMessengerObjects(...messengers);
}

export function getRegisteredMessengerObjects(): ReadonlyMap<string, Messenger> {
  return getDefaultSitemsg().getRegisteredMessengerObjects();
}

export function getRegisteredMessengerObject(alias: string): Messenger {
  return getDefaultSitemsg().getRegisteredMessengerObject(alias);
}

export function registerMessageTypes(...types: MessageTypeClass[]): void {
  getDefaultSitemsg().registerMessageTypes(...types);
}

export function getRegisteredMessageTypes(): ReadonlyMap<string, MessageTypeClass> {
  return getDefaultSitemsg().getRegisteredMessageTypes();
}

export function getRegisteredMessageType(alias: string): MessageTypeClass {
  return getDefaultSitemsg().getRegisteredMessageType(alias);
}

export function getMessageTypeForApp(app: string, defaultAlias: string): MessageTypeClass {
  return getDefaultSitemsg().getMessageTypeForApp(app, defaultAlias);
}

export function overrideMessageTypeForApp(app: string, defaultAlias: string, replacementAlias: string): void {
  getDefaultSitemsg().overrideMessageTypeForApp(app, defaultAlias, replacementAlias);
}

export function recipients(
  messenger: string | MessengerClass,
  who: SitemsgUser | string | readonly (SitemsgUser | string)[],
): Recipient[] {
  return getDefaultSitemsg().recipients(messenger, who);
}

export function scheduleMessages(
  messages: MessageInput | readonly MessageInput[],
  to?: readonly Recipient[],
  options?: ScheduleOptions,
): Promise<ScheduleResult[]> {
  return getDefaultSitemsg().scheduleMessages(messages, to, options);
}

export function prepareDispatches(): Promise<number> {
  return getDefaultSitemsg().prepareDispatches();
}

export function sendScheduledMessages(options?: SendOptions): Promise<SendCounts> {
  return getDefaultSitemsg().sendScheduledMessages(options);
}

export function cleanupSentMessages(options?: {
  ago?: number;
  dispatchesOnly?: boolean;
}): Promise<CleanupResult> {
  return getDefaultSitemsg().cleanupSentMessages(options);
}

export function sendTestMessage(
  messenger: string,
  options: { to: string; text?: string },
): Promise<Result<SentReceipt, DeliveryError>> {
  return getDefaultSitemsg().sendTestMessage(messenger, options);
}

export function getUserPreferencesForUi(
  user: SitemsgUser,
  options?: PreferencesOptions,
): Promise<PreferencesTable> {
  return getDefaultSitemsg().getUserPreferencesForUi(user, options);
}

export function setUserPreferences(
  user: SitemsgUser,
  selections: readonly (string | { messageType: string; messenger: string })[],
  options?: PreferencesOptions,
): Promise<void> {
  return getDefaultSitemsg().setUserPreferences(user, selections, options);
}

export function onSitemsgEvent<K extends keyof SitemsgEventMap>(
  event: K,
  handler: EventHandler<K>,
): () => void {
  return getDefaultSitemsg().on(event, handler);
}
