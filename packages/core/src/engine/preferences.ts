import { ValidationError } from '../errors.js';
import type { MessageTypeClass } from '../message-type.js';
import type { Messenger } from '../messenger.js';
import type { SitemsgUser, Subscription } from '../types.js';
import type { EngineContext } from './context.js';

export interface PreferencesOptions {
  /** Column titles by messenger alias (default: each messenger's title). */
  readonly messengerTitles?: Readonly<Record<string, string>>;
  /** Limit the rows to these message type aliases. */
  readonly messageTypes?: readonly string[];
  /** Limit the columns to these messenger aliases. */
  readonly messengers?: readonly string[];
}

export interface PreferenceCell {
  readonly messenger: string;
  /** Whether every type of the row can go through this messenger. */
  readonly allowed: boolean;
  /** Whether the user is subscribed. */
  readonly active: boolean;
  /** The form value that selects this cell in `setUserPreferences`. */
  readonly value: string;
}

export interface PreferenceRow {
  readonly title: string;
  /** Types with the same title share a row. */
  readonly messageTypes: readonly string[];
  readonly cells: readonly PreferenceCell[];
}

export interface PreferencesTable {
  readonly messengers: readonly { alias: string; title: string }[];
  readonly rows: readonly PreferenceRow[];
}

/** Rows: message types that allow subscription; columns: messengers that allow it, sorted by title. */
export async function getUserPreferencesForUi(
  ctx: EngineContext,
  user: SitemsgUser,
  options: PreferencesOptions = {},
): Promise<PreferencesTable> {
  const { rows, columns } = layout(ctx, options);
  const subscribed = new Set(
    (await ctx.store.listSubscriptions({ userId: String(user.id) })).map(
      (s) => `${s.messageType}|${s.messenger}`,
    ),
  );
  return {
    messengers: columns.map((m) => ({
      alias: m.alias,
      title: options.messengerTitles?.[m.alias] ?? m.title,
    })),
    rows: rows.map(([title, types]) => ({
      title,
      messageTypes: types.map((t) => t.alias),
      cells: columns.map((m) => ({
        messenger: m.alias,
        allowed: types.every((t) => supports(t, m)),
        active: types.some((t) => subscribed.has(`${t.alias}|${m.alias}`)),
        value: cellValue(types, m),
      })),
    })),
  };
}

/**
 * Replaces the user's subscriptions for the cells of the table with the selected ones (cell
 * values, or `{ messageType, messenger }` pairs). A selection outside the table is a ValidationError.
 */
export async function setUserPreferences(
  ctx: EngineContext,
  user: SitemsgUser,
  selections: readonly (string | { messageType: string; messenger: string })[],
  options: PreferencesOptions = {},
): Promise<void> {
  const { rows, columns } = layout(ctx, options);
  const byValue = new Map<string, { types: MessageTypeClass[]; messenger: Messenger }>();
  const scope: { messageType: string; messenger: string }[] = [];
  for (const [, types] of rows) {
    for (const m of columns) {
      if (!types.every((t) => supports(t, m))) continue;
      byValue.set(cellValue(types, m), { types, messenger: m });
      for (const t of types) {
        byValue.set(`${t.alias}|${m.alias}`, { types: [t], messenger: m });
        scope.push({ messageType: t.alias, messenger: m.alias });
      }
    }
  }
  const selected: Subscription[] = [];
  for (const selection of selections) {
    const value =
      typeof selection === 'string' ? selection : `${selection.messageType}|${selection.messenger}`;
    const cell = byValue.get(value);
    if (!cell) throw new ValidationError(`"${value}" is not a cell of the preferences table.`);
    const address = cell.messenger.resolveAddress(user);
    for (const t of cell.types) {
      selected.push({
        messageType: t.alias,
        messenger: cell.messenger.alias,
        userId: String(user.id),
        address: address.ok ? address.value : null,
      });
    }
  }
  await ctx.store.replaceUserSubscriptions(String(user.id), scope, selected);
}

function layout(ctx: EngineContext, options: PreferencesOptions) {
  const types = [...ctx.registry.messageTypeMap.values()].filter(
    (t) => t.allowUserSubscription && (!options.messageTypes || options.messageTypes.includes(t.alias)),
  );
  const byTitle = new Map<string, MessageTypeClass[]>();
  for (const t of types) byTitle.set(t.title || t.alias, [...(byTitle.get(t.title || t.alias) ?? []), t]);
  const rows = [...byTitle].sort(([a], [b]) => a.localeCompare(b));
  const titleOf = (m: Messenger) => options.messengerTitles?.[m.alias] ?? m.title;
  const columns = [...ctx.registry.messengerMap.values()]
    .filter((m) => m.allowUserSubscription && (!options.messengers || options.messengers.includes(m.alias)))
    .sort((a, b) => titleOf(a).localeCompare(titleOf(b)) || a.alias.localeCompare(b.alias));
  return { rows, columns };
}

function supports(type: MessageTypeClass, messenger: Messenger): boolean {
  return !type.supportedMessengers || type.supportedMessengers.includes(messenger.alias);
}

function cellValue(types: readonly MessageTypeClass[], messenger: Messenger): string {
  return `${types.map((t) => t.alias).join('+')}|${messenger.alias}`;
}
