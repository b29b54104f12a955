// Delivery feedback on dispatches: found by the provider's message id that the completion kept,
// kept once per provider event, listed in the order written. Each call is one statement.
import { type DispatchRecord, type FeedbackRecord, ValidationError } from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import { isRowId } from './db.js';
import type { Names } from './names.js';
import { DISPATCH_COLUMNS, type DispatchRow, toDispatch } from './rows.js';

/**
 * Through the partial index of dispatches sent with a provider id. A provider that reuses an id
 * (one id per API call of several recipients) leaves several rows: the last sent answers, as the
 * memory store's does.
 */
export async function findDispatchByProviderId(
  ctx: StoreContext,
  messenger: string,
  providerMessageId: string,
): Promise<DispatchRecord | null> {
  // Text PostgreSQL cannot hold was never written, so it names no row (and is no SQL error).
  if (providerMessageId.includes('\u0000') || messenger.includes('\u0000')) return null;
  const { rows } = await ctx.db.query<DispatchRow>(
    'findDispatchByProviderId',
    findByProviderIdSql(ctx.names),
    [messenger, providerMessageId],
  );
  return rows[0] ? toDispatch(rows[0]) : null;
}

/** The lookup's text, for the EXPLAIN test. */
export function findByProviderIdSql(n: Names): string {
  return `SELECT ${DISPATCH_COLUMNS} FROM ${n.dispatches}
WHERE messenger = $1 AND provider_message_id = $2
ORDER BY dispatched_at DESC, id DESC LIMIT 1`;
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * One statement: the dispatch is read and the feedback inserted from that read, so an unknown
 * dispatch inserts nothing and raises no error (an error would also cost PGlite's one connection);
 * a provider event already recorded on the dispatch hits the unique index of (dispatch, event id)
 * and writes nothing (false). Feedback must name a dispatch this store holds: an unknown or
 * malformed id is a ValidationError `UNKNOWN_DISPATCH`, not a false, which would read as "already
 * recorded" and skip the suppression policy. The foreign key still answers a cleanup deleting the
 * dispatch at the same moment.
 */
export async function addFeedback(ctx: StoreContext, f: FeedbackRecord): Promise<boolean> {
  if (!isRowId(f.dispatchId)) throw unknownDispatch(f.dispatchId);
  const { names: n } = ctx;
  let row: { known: boolean; added: boolean } | undefined;
  try {
    const { rows } = await ctx.db.query<{ known: boolean; added: boolean }>(
      'addFeedback',
      `WITH d AS (SELECT id FROM ${n.dispatches} WHERE id = $1),
added AS (
  INSERT INTO ${n.feedback} (dispatch_id, kind, bounce, provider_code, detail, event_id, at)
  SELECT d.id, $2, $3, $4, $5, $6, $7 FROM d
  ON CONFLICT DO NOTHING RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM d) AS known, EXISTS (SELECT 1 FROM added) AS added`,
      [f.dispatchId, f.kind, f.bounce, f.providerCode, f.detail, f.eventId, f.at],
    );
    row = rows[0];
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause?.code === FOREIGN_KEY_VIOLATION) throw unknownDispatch(f.dispatchId, error);
    throw error;
  }
  if (!row?.known) throw unknownDispatch(f.dispatchId);
  return row.added;
}

function unknownDispatch(id: string, cause?: unknown): ValidationError {
  return new ValidationError(
    `[sitemsg] [postgres] addFeedback: no dispatch ${JSON.stringify(id)} (deleted by cleanup, or never written): feedback is kept on a dispatch.`,
    { code: 'UNKNOWN_DISPATCH', ...(cause !== undefined && { cause }) },
  );
}

interface FeedbackRow {
  dispatch_id: string;
  kind: FeedbackRecord['kind'];
  bounce: FeedbackRecord['bounce'];
  provider_code: string | null;
  detail: string | null;
  event_id: string | null;
  at: Date;
}

/** In the order written (the memory store's order), through the index by dispatch. */
export async function listFeedback(ctx: StoreContext, dispatchId: string): Promise<FeedbackRecord[]> {
  if (!isRowId(dispatchId)) return [];
  const { rows } = await ctx.db.query<FeedbackRow>(
    'listFeedback',
    `SELECT dispatch_id, kind, bounce, provider_code, detail, event_id, at
FROM ${ctx.names.feedback} WHERE dispatch_id = $1 ORDER BY id`,
    [dispatchId],
  );
  return rows.map((r) => ({
    dispatchId: r.dispatch_id,
    kind: r.kind,
    bounce: r.bounce,
    providerCode: r.provider_code,
    detail: r.detail,
    eventId: r.event_id,
    at: r.at,
  }));
}
