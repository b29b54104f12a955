import { ConfigurationError, UnknownMessageTypeError, UnknownMessengerError } from './errors.js';
import type { MessageTypeClass } from './message-type.js';
import { MESSENGER_CONTRACT_VERSION, type Messenger, type MessengerClass } from './messenger.js';
import type { MessengerMedia } from './store.js';

const ALIAS = /^[a-z0-9][a-z0-9_.-]*$/i;
const MEDIUM = /^[a-z][a-z0-9_-]{0,31}$/;

/** The messengers and message types one engine knows, validated when they are registered. */
export class Registry {
  private readonly messengers = new Map<string, Messenger>();
  /** Per channel (`smtp`), the messenger its alias and class resolve to when none is registered under that exact alias. */
  private readonly primaries = new Map<string, Messenger>();
  private readonly messageTypes = new Map<string, MessageTypeClass>();
  private readonly appOverrides = new Map<string, string>();
  /** The media of the messengers that declare one, by alias; undefined while none does. */
  private mediaByAlias: MessengerMedia | undefined;

  registerMessengers(messengers: readonly Messenger[]): void {
    for (const messenger of messengers) validateMessenger(messenger, this.messengers);
    for (const messenger of messengers) {
      this.messengers.set(messenger.alias, messenger);
      const current = this.primaries.get(messenger.channel);
      if (current?.primary && messenger.primary && current !== messenger) {
        throw new ConfigurationError(`Two messengers are marked primary for channel "${messenger.channel}".`);
      }
      if (!current || (messenger.primary && !current.primary))
        this.primaries.set(messenger.channel, messenger);
      if (messenger.medium !== undefined) {
        this.mediaByAlias = Object.freeze({ ...this.mediaByAlias, [messenger.alias]: messenger.medium });
      }
    }
  }

  /** The media of the registered messengers that declare one (what stores match medium-wide suppressions by). */
  get media(): MessengerMedia | undefined {
    return this.mediaByAlias;
  }

  registerMessageTypes(types: readonly MessageTypeClass[]): void {
    for (const type of types) validateMessageType(type, this.messageTypes);
    for (const type of types) this.messageTypes.set(type.alias, type);
  }

  get messengerMap(): ReadonlyMap<string, Messenger> {
    return this.messengers;
  }

  get messageTypeMap(): ReadonlyMap<string, MessageTypeClass> {
    return this.messageTypes;
  }

  messenger(alias: string): Messenger {
    const messenger = this.messengers.get(alias) ?? this.primaries.get(alias);
    if (!messenger) throw new UnknownMessengerError(alias);
    return messenger;
  }

  /** A messenger by alias, or the first registered instance of a messenger class. */
  resolveMessenger(aliasOrClass: string | MessengerClass): Messenger {
    if (typeof aliasOrClass === 'string') return this.messenger(aliasOrClass);
    const primary = this.primaries.get(aliasOrClass.alias);
    if (primary && primary instanceof (aliasOrClass as never)) return primary;
    for (const messenger of this.messengers.values()) {
      if (messenger instanceof (aliasOrClass as never)) return messenger;
    }
    throw new UnknownMessengerError(aliasOrClass.alias || '(unnamed class)');
  }

  messageType(alias: string): MessageTypeClass {
    const type = this.messageTypes.get(alias);
    if (!type) throw new UnknownMessageTypeError(alias);
    return type;
  }

  /** The message type a reusable app should use for its default alias (the app's override, if any). */
  messageTypeForApp(app: string, defaultAlias: string): MessageTypeClass {
    return this.messageType(this.appOverrides.get(`${app}\u0000${defaultAlias}`) ?? defaultAlias);
  }

  overrideMessageTypeForApp(app: string, defaultAlias: string, replacementAlias: string): void {
    this.messageType(replacementAlias);
    this.appOverrides.set(`${app}\u0000${defaultAlias}`, replacementAlias);
  }
}

function validateMessenger(messenger: Messenger, known: ReadonlyMap<string, Messenger>): void {
  const name = messenger?.constructor?.name ?? 'messenger';
  if (messenger.messengerContractVersion !== MESSENGER_CONTRACT_VERSION) {
    throw new ConfigurationError(
      `${name} implements messenger contract ${String(messenger.messengerContractVersion)}, this @sitemsg/core needs ${MESSENGER_CONTRACT_VERSION}: upgrade the plugin or core.`,
    );
  }
  if (typeof messenger.alias !== 'string' || !ALIAS.test(messenger.alias)) {
    throw new ConfigurationError(
      `${name} has no valid alias (got "${String(messenger.alias)}"): set static alias.`,
    );
  }
  if (typeof messenger.send !== 'function') throw new ConfigurationError(`${name} has no send() method.`);
  if (
    messenger.medium !== undefined &&
    (typeof messenger.medium !== 'string' || !MEDIUM.test(messenger.medium))
  ) {
    throw new ConfigurationError(
      `${name} declares medium "${String(messenger.medium)}": use lower-case letters, digits, "-" and "_" (e.g. "sms").`,
    );
  }
  const existing = known.get(messenger.alias);
  if (existing && existing !== messenger) {
    throw new ConfigurationError(
      `Two messengers use the alias "${messenger.alias}": pass { alias } to one of them.`,
    );
  }
}

function validateMessageType(type: MessageTypeClass, known: ReadonlyMap<string, MessageTypeClass>): void {
  if (typeof type !== 'function' || typeof type.compile !== 'function') {
    throw new ConfigurationError('A message type must be a class extending MessageType.');
  }
  if (!ALIAS.test(type.alias)) throw new ConfigurationError(`${type.name} has no valid static alias.`);
  const existing = known.get(type.alias);
  if (existing && existing !== type) {
    throw new ConfigurationError(
      `Two message types use the alias "${type.alias}" (${existing.name}, ${type.name}).`,
    );
  }
  if (type.sendRetryLimit !== null && (!Number.isInteger(type.sendRetryLimit) || type.sendRetryLimit < 0)) {
    throw new ConfigurationError(`${type.name}.sendRetryLimit must be a non-negative integer or null.`);
  }
}
