// Suppressions: an address that must not be sent a message type on a messenger, or any type at
// all (`'*'`, ALL_MESSAGE_TYPES: what feedback writes) — or on every messenger of a medium
// (messenger `'*'`, ALL_MESSENGERS, with `medium`; a messenger's own rows have medium ''). Scheduling
// (inserts.ts) and the claim (claim.ts) apply the same rule in their own statements, with
// `suppressionProbe`; this file answers the engine's lookups.
import {
  ALL_MESSAGE_TYPES,
  ALL_MESSENGERS,
  type MessengerMedia,
  type Suppression,
  type SuppressionFilter,
} from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import { textArray } from './db.js';
import type { Names } from './names.js';

export async function addSuppression(ctx: StoreContext, s: Suppression): Promise<boolean> {
  const { rowCount } = await ctx.db.query(
    'addSuppression',
    `INSERT INTO ${ctx.names.suppressions} (message_type, messenger, address, medium) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [s.messageType, s.messenger, s.address, mediumOf(s)],
  );
  return rowCount === 1;
}

/**
 * One DELETE through the index by messenger and address (the primary key leads with the type, so
 * it cannot serve "every type"); the type and the medium, when given, filter the address's few rows.
 */
export async function removeSuppressions(ctx: StoreContext, filter: SuppressionFilter): Promise<number> {
  const { rowCount } = await ctx.db.query('removeSuppressions', removeSuppressionsSql(ctx.names), [
    filter.messenger,
    filter.address,
    filter.messageType ?? null,
    filter.medium ?? null,
  ]);
  return rowCount;
}

/** The DELETE's text, for the EXPLAIN test. */
export function removeSuppressionsSql(n: Names): string {
  return `DELETE FROM ${n.suppressions}
WHERE messenger = $1 AND address = $2 AND ($3::text IS NULL OR message_type = $3) AND ($4::text IS NULL OR medium = $4)`;
}

/**
 * A condition: a suppression of `messageType` holds the dispatch row's address on its messenger,
 * or on every messenger of the messenger's medium, looked up in `media` (a jsonb expression of
 * `MessengerMedia`, or NULL). Two primary-key probes (the messenger's own, `'*'`) per type.
 */
export function suppressionProbe(
  alias: string,
  messageType: string,
  messenger: string,
  address: string,
  media: string,
): string {
  return `${alias}.message_type = ${messageType} AND ${alias}.address = ${address}
    AND ${alias}.messenger = ANY(ARRAY[${messenger}, '${ALL_MESSENGERS}'])
    AND ${alias}.medium = CASE WHEN ${alias}.messenger = '${ALL_MESSENGERS}' THEN (${media}::jsonb ->> ${messenger}) ELSE '' END`;
}

/**
 * The suppressed ones among the recipients, in the recipients' order, each as it is stored: a
 * suppression of this type, or else one of every type; the messenger's own before its medium's.
 * The recipients travel as arrays, joined through the primary key.
 */
export async function findSuppressed(
  ctx: StoreContext,
  messageType: string,
  recipients: readonly { messenger: string; address: string }[],
  media?: MessengerMedia,
): Promise<Suppression[]> {
  if (recipients.length === 0) return [];
  const { rows } = await ctx.db.hot<SuppressionRow>(
    'findSuppressed',
    `SELECT DISTINCT s.message_type, s.messenger, s.medium, s.address
FROM ${ctx.names.suppressions} s JOIN unnest($2::text[], $3::text[]) AS r(messenger, address)
  ON ${suppressionProbe('s', 's.message_type', 'r.messenger', 'r.address', '$4')}
WHERE s.message_type = ANY(ARRAY[$1::text, '${ALL_MESSAGE_TYPES}'])`,
    [
      messageType,
      textArray(recipients.map((r) => r.messenger)),
      textArray(recipients.map((r) => r.address)),
      mediaValue(media),
    ],
  );
  if (rows.length === 0) return [];
  const found = new Map<string, Suppression>();
  for (const r of rows) {
    found.set(
      key(r.message_type, r.messenger, r.medium, r.address),
      r.messenger === ALL_MESSENGERS
        ? { messageType: r.message_type, messenger: r.messenger, medium: r.medium, address: r.address }
        : { messageType: r.message_type, messenger: r.messenger, address: r.address },
    );
  }
  const suppressed: Suppression[] = [];
  for (const r of recipients) {
    const medium = media?.[r.messenger];
    const of = (type: string) =>
      found.get(key(type, r.messenger, '', r.address)) ??
      (medium === undefined ? undefined : found.get(key(type, ALL_MESSENGERS, medium, r.address)));
    const s = of(messageType) ?? of(ALL_MESSAGE_TYPES);
    if (s) suppressed.push(s);
  }
  return suppressed;
}

/** The messengers' media as a statement's `media` parameter (jsonb text, or NULL). */
export function mediaValue(media: MessengerMedia | undefined): string | null {
  return media === undefined ? null : JSON.stringify(media);
}

function mediumOf(s: Suppression): string {
  return s.messenger === ALL_MESSENGERS ? (s.medium ?? '') : '';
}

function key(type: string, messenger: string, medium: string, address: string): string {
  return `${type}\u0000${messenger}\u0000${medium}\u0000${address}`;
}

interface SuppressionRow {
  message_type: string;
  messenger: string;
  medium: string;
  address: string;
}
