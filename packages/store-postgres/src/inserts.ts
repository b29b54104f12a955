// How dispatches are written in bulk: one `INSERT ... SELECT FROM unnest(...)` per message, the
// addresses sent as one array literal, suppressed addresses left out in the same statement, and
// the new ids read back as a first id when they form one run.
import { ALL_MESSAGE_TYPES, type NewDispatch } from '@sitemsg/core/plugin';
import { textArray } from './db.js';
import type { Names } from './names.js';
import { suppressionProbe } from './suppressions.js';

/**
 * The values of `unnestDispatches`: the addresses, and the messenger and user ids as one value when
 * all dispatches share it (one messenger, no user ids: the usual bulk case), arrays otherwise.
 */
export function dispatchValues(
  dispatches: readonly NewDispatch[],
): [string, string | null, string | null, string | null] {
  const first = dispatches[0]?.messenger ?? null;
  const oneMessenger = dispatches.every((d) => d.messenger === first);
  const noUsers = dispatches.every((d) => d.userId === null);
  return [
    textArray(dispatches.map((d) => d.address)),
    oneMessenger ? first : null,
    oneMessenger ? null : textArray(dispatches.map((d) => d.messenger)),
    noUsers ? null : textArray(dispatches.map((d) => d.userId)),
  ];
}

/** The pieces of a bulk insert from the four `dispatchValues` at $at..$at+3. */
export interface UnnestedDispatches {
  /** A FROM item `u(address, messenger, user_id, n)` (`unnest` of several arrays pads a NULL one with NULLs). */
  readonly from: string;
  /** The messenger of row `u`. */
  readonly messenger: string;
  /** A condition on row `u`: its address is not suppressed. */
  readonly keep: string;
  /** A column: the positions (from 1) left out, worked out only when fewer rows were written than given. */
  readonly leftOut: string;
}

/**
 * One statement inserts any number of dispatches, in the order given (the ordinality keeps the
 * rows sorted, so no sort runs). With `filter` (SQL expressions of the message type and of the
 * messengers' media as jsonb), an address suppressed for that type or for every type (`'*'`) on
 * its messenger or its messenger's medium is left out in the same statement, so a suppression
 * added a moment before is never missed; the probe per row is skipped outright while the type has
 * no suppression at all.
 */
export function unnestDispatches(
  n: Names,
  at: number,
  filter: { readonly messageType: string; readonly media: string } | null,
): UnnestedDispatches {
  const rows = (alias: string): string =>
    `unnest($${at}::text[], $${at + 2}::text[], $${at + 3}::text[]) WITH ORDINALITY AS ${alias}(address, messenger, user_id, n)`;
  const messenger = (alias: string): string => `coalesce($${at + 1}::text, ${alias}.messenger)`;
  // The type's suppressions and those of every type: primary-key probes.
  const suppressed = (alias: string): string => {
    if (filter === null) return 'false';
    const ofType = `message_type = ANY(ARRAY[${filter.messageType}::text, '${ALL_MESSAGE_TYPES}'])`;
    return `(SELECT EXISTS (SELECT 1 FROM ${n.suppressions} WHERE ${ofType}))
    AND EXISTS (SELECT 1 FROM ${n.suppressions} s
      WHERE s.${ofType} AND ${suppressionProbe('s', 's.message_type', messenger(alias), `${alias}.address`, filter.media)})`;
  };
  return {
    from: rows('u'),
    messenger: messenger('u'),
    keep: `NOT (${suppressed('u')})`,
    leftOut: `CASE WHEN ids.written = coalesce(array_length($${at}::text[], 1), 0) THEN '{}'::int[]
    ELSE ARRAY(SELECT v.n::int FROM ${rows('v')} WHERE ${suppressed('v')} ORDER BY v.n) END AS suppressed`,
  };
}

/**
 * A CTE `ids` over a CTE `d` of inserted ids: the first id, how many, and all of them (sorted)
 * only when they are not one run.
 */
export const INSERTED_IDS = `ids AS (
  SELECT min(d.id) AS first_id, max(d.id) - min(d.id) + 1 = count(*) AS run, count(*) AS written FROM d
)`;

/** The columns a statement ending in `INSERTED_IDS` selects, with `UnnestedDispatches.leftOut`. */
export const INSERTED_COLUMNS =
  'ids.first_id, CASE WHEN ids.run THEN NULL ELSE ARRAY(SELECT d.id FROM d ORDER BY d.id) END AS dispatch_ids';

/** What a statement ending in `INSERTED_IDS` returns. */
export interface InsertedIdsRow {
  first_id: string | null;
  dispatch_ids: string[] | null;
  /** Positions (from 1) of the dispatches left out because their address is suppressed. */
  suppressed: number[];
}

/** The dispatches a statement ending in `INSERTED_IDS` wrote, with their ids, in the order given. */
export function insertedDispatches(
  dispatches: readonly NewDispatch[],
  row: InsertedIdsRow,
): { written: readonly NewDispatch[]; ids: string[] } {
  const left = new Set(row.suppressed);
  const written = left.size === 0 ? dispatches : dispatches.filter((_, i) => !left.has(i + 1));
  return { written, ids: insertedIds(row.dispatch_ids, row.first_id, written.length) };
}

/**
 * The ids of rows inserted in order: `ids` when the statement had to list them, otherwise the
 * `count` consecutive ids from `first` (the identity hands out one run unless another session
 * inserted at the same moment), which spares sending a thousand ids back.
 */
function insertedIds(ids: readonly string[] | null, first: string | null, count: number): string[] {
  if (ids !== null) return [...ids];
  if (first === null) return [];
  const start = Number(first);
  if (Number.isSafeInteger(start + count)) return Array.from({ length: count }, (_, i) => String(start + i));
  const big = BigInt(first);
  return Array.from({ length: count }, (_, i) => String(big + BigInt(i)));
}
