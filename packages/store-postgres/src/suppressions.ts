// Suppressions: an address that must not be sent a message type on a messenger, or any type at
// all (`'*'`, ALL_MESSAGE_TYPES: what feedback writes). Scheduling (inserts.ts) and the claim
// (claim.ts) apply the same rule in their own statements; this file answers the engine's lookups.
import { ALL_MESSAGE_TYPES, type Suppression } from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import { textArray } from './db.js';
import type { Names } from './names.js';

export async function addSuppression(ctx: StoreContext, s: Suppression): Promise<boolean> {
  const { rowCount } = await ctx.db.query(
    'addSuppression',
    `INSERT INTO ${ctx.names.suppressions} (message_type, messenger, address) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [s.messageType, s.messenger, s.address],
  );
  return rowCount === 1;
}

/**
 * One DELETE through the index by messenger and address (the primary key leads with the type, so
 * it cannot serve "every type"); the type, when given, filters the address's few rows.
 */
export async function removeSuppressions(
  ctx: StoreContext,
  filter: { readonly messenger: string; readonly address: string; readonly messageType?: string },
): Promise<number> {
  const { rowCount } = await ctx.db.query('removeSuppressions', removeSuppressionsSql(ctx.names), [
    filter.messenger,
    filter.address,
    filter.messageType ?? null,
  ]);
  return rowCount;
}

/** The DELETE's text, for the EXPLAIN test. */
export function removeSuppressionsSql(n: Names): string {
  return `DELETE FROM ${n.suppressions}
WHERE messenger = $1 AND address = $2 AND ($3::text IS NULL OR message_type = $3)`;
}

/**
 * The suppressed ones among the recipients, in the recipients' order, each as it is stored: a
 * suppression of this type, or else one of every type. Recipients of one messenger (the usual
 * case) are looked up with one array of addresses through the primary key.
 */
export async function findSuppressed(
  ctx: StoreContext,
  messageType: string,
  recipients: readonly { messenger: string; address: string }[],
): Promise<Suppression[]> {
  if (recipients.length === 0) return [];
  const messenger = recipients[0]!.messenger;
  const single = recipients.every((r) => r.messenger === messenger);
  // `message_type = ANY(ARRAY[$1, '*'])`: two probes of the primary key per address.
  const { rows } = single
    ? await ctx.db.hot<SuppressionRow>(
        'findSuppressed',
        `SELECT message_type, messenger, address FROM ${ctx.names.suppressions}
WHERE message_type = ANY(ARRAY[$1::text, '${ALL_MESSAGE_TYPES}']) AND messenger = $2 AND address = ANY($3::text[])`,
        [messageType, messenger, textArray(recipients.map((r) => r.address))],
      )
    : await ctx.db.hot<SuppressionRow>(
        'findSuppressed',
        `SELECT s.message_type, s.messenger, s.address
FROM ${ctx.names.suppressions} s JOIN unnest($2::text[], $3::text[]) AS r(messenger, address)
  ON s.messenger = r.messenger AND s.address = r.address
WHERE s.message_type = ANY(ARRAY[$1::text, '${ALL_MESSAGE_TYPES}'])`,
        [
          messageType,
          textArray(recipients.map((r) => r.messenger)),
          textArray(recipients.map((r) => r.address)),
        ],
      );
  if (rows.length === 0) return [];
  const found = new Map<string, string>();
  for (const r of rows) {
    const key = `${r.messenger}\u0000${r.address}`;
    // The type's own suppression wins over the one of every type, as in the memory store.
    if (r.message_type !== ALL_MESSAGE_TYPES || !found.has(key)) found.set(key, r.message_type);
  }
  const suppressed: Suppression[] = [];
  for (const r of recipients) {
    const type = found.get(`${r.messenger}\u0000${r.address}`);
    if (type !== undefined)
      suppressed.push({ messageType: type, messenger: r.messenger, address: r.address });
  }
  return suppressed;
}

interface SuppressionRow {
  message_type: string;
  messenger: string;
  address: string;
}
