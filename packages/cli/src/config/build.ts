import { createSitemsg, MemoryStore, type Sitemsg } from '@sitemsg/core';
import type { Messenger, Store } from '@sitemsg/core/plugin';
import type { Jiti } from 'jiti';
import { bareMessage, configError } from '../errors.js';
import { loadDriver } from './drivers.js';
import type { DriverEntry, MessengerEntry, SitemsgConfig } from './types.js';

export interface BuildContext {
  readonly jiti: Jiti;
  readonly configDir: string;
  readonly warn: (line: string) => void;
}

/** Creates the store and messengers a data config names, then the engine; every failure is a config error. */
export async function buildEngine(config: SitemsgConfig, context: BuildContext): Promise<Sitemsg> {
  const { store: storeEntry, messengers: messengerEntries = {}, ...options } = config;
  const store = await createStore(storeEntry, context);
  const messengers = await createMessengers(messengerEntries, context);
  try {
    return createSitemsg({ ...options, store, messengers });
  } catch (error) {
    throw configError(bareMessage(error), error);
  }
}

async function createStore(entry: DriverEntry | undefined, context: BuildContext): Promise<Store> {
  if (entry === undefined) {
    context.warn(
      '[sitemsg] config: no store configured, using the memory store: it forgets everything when this command exits.',
    );
    return new MemoryStore();
  }
  const { driver: name, package: pkg, ...options } = entry;
  if (name === 'memory' && pkg === undefined) {
    const extra = Object.keys(options);
    if (extra.length > 0) throw configError(`store: the memory store takes no options (got "${extra[0]}").`);
    return new MemoryStore();
  }
  const driver = await loadDriver(context.jiti, context.configDir, 'store', 'store', entry);
  if (driver.kind !== 'store') throw configError(`store: "${name}" is not a store driver.`);
  const store = create(() => driver.create(options, { name: 'store', primary: true }), 'store');
  if (typeof store?.claim !== 'function') {
    throw configError(`store: driver "${name}" returned something that is not a Store.`);
  }
  return store;
}

async function createMessengers(
  entries: Readonly<Record<string, MessengerEntry>>,
  context: BuildContext,
): Promise<Messenger[]> {
  const primaries = choosePrimaries(entries);
  const messengers: Messenger[] = [];
  for (const [alias, entry] of Object.entries(entries)) {
    const where = `messengers.${alias}`;
    const { driver: name, package: _pkg, primary: _primary, ...options } = entry;
    const driver = await loadDriver(context.jiti, context.configDir, 'messenger', where, entry);
    if (driver.kind !== 'messenger') throw configError(`${where}: "${name}" is not a messenger driver.`);
    const primary = primaries.has(alias);
    const messenger = create(() => driver.create(options, { name: alias, primary }), where);
    if (typeof messenger?.send !== 'function') {
      throw configError(`${where}: driver "${name}" returned something that is not a Messenger.`);
    }
    if (messenger.alias !== alias) {
      throw configError(
        `${where}: driver "${name}" named its messenger "${String(messenger.alias)}"; a driver must use context.name as the alias.`,
      );
    }
    messengers.push(messenger);
  }
  return messengers;
}

/** Per driver: the entry marked primary, else the first one; two marked primary is an error. */
function choosePrimaries(entries: Readonly<Record<string, MessengerEntry>>): Set<string> {
  const byDriver = new Map<string, string>();
  const marked = new Map<string, string>();
  for (const [alias, entry] of Object.entries(entries)) {
    const key = `${entry.package ?? ''}\u0000${entry.driver}`;
    if (entry.primary === true) {
      const other = marked.get(key);
      if (other !== undefined) {
        throw configError(
          `messengers.${other} and messengers.${alias} are both marked primary for driver "${entry.driver}": keep one.`,
        );
      }
      marked.set(key, alias);
      byDriver.set(key, alias);
    } else if (!byDriver.has(key)) byDriver.set(key, alias);
  }
  return new Set(byDriver.values());
}

function create<T>(make: () => T, where: string): T {
  try {
    return make();
  } catch (error) {
    throw configError(`${where}: ${bareMessage(error)}`, error);
  }
}
