import type {
  CleanupRequest,
  CleanupResult,
  DispatchCounts,
  DispatchErrorRecord,
  DispatchRecord,
  DispatchStatus,
  MessageRecord,
} from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import { isRowId } from './db.js';
import {
  DISPATCH_COLUMNS,
  type DispatchRow,
  MESSAGE_COLUMNS,
  type MessageRow,
  toDispatch,
  toMessage,
} from './rows.js';

export async function getMessage(ctx: StoreContext, id: string): Promise<MessageRecord | null> {
  if (!isRowId(id)) return null;
  const { rows } = await ctx.db.query<MessageRow>(
    'getMessage',
    `SELECT ${MESSAGE_COLUMNS} FROM ${ctx.names.messages} WHERE id = $1`,
    [id],
  );
  return rows[0] ? toMessage(rows[0]) : null;
}

export async function listPostponedMessages(ctx: StoreContext, limit: number): Promise<MessageRecord[]> {
  const { rows } = await ctx.db.query<MessageRow>(
    'listPostponedMessages',
    `SELECT ${MESSAGE_COLUMNS} FROM ${ctx.names.messages} WHERE NOT dispatches_ready ORDER BY id LIMIT $1`,
    [Math.max(0, Math.floor(limit))],
  );
  return rows.map(toMessage);
}

export async function getDispatch(ctx: StoreContext, id: string): Promise<DispatchRecord | null> {
  if (!isRowId(id)) return null;
  const { rows } = await ctx.db.query<DispatchRow>(
    'getDispatch',
    `SELECT ${DISPATCH_COLUMNS} FROM ${ctx.names.dispatches} WHERE id = $1`,
    [id],
  );
  return rows[0] ? toDispatch(rows[0]) : null;
}

/** An admin read: by message it scans the table, which has no index by message (see the migration). */
export async function listDispatches(
  ctx: StoreContext,
  filter: { messageId?: string; status?: DispatchStatus },
): Promise<DispatchRecord[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.messageId !== undefined) {
    if (!isRowId(filter.messageId)) return [];
    values.push(filter.messageId);
    where.push(`message_id = $${values.length}`);
  }
  if (filter.status !== undefined) {
    values.push(filter.status);
    where.push(`status = $${values.length}`);
  }
  const { rows } = await ctx.db.query<DispatchRow>(
    'listDispatches',
    `SELECT ${DISPATCH_COLUMNS} FROM ${ctx.names.dispatches}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
    values,
  );
  return rows.map(toDispatch);
}

export async function countDispatches(ctx: StoreContext): Promise<DispatchCounts> {
  const { rows } = await ctx.db.query<{ status: DispatchStatus; count: number }>(
    'countDispatches',
    `SELECT status, count(*)::integer AS count FROM ${ctx.names.dispatches} GROUP BY status`,
  );
  const counts: DispatchCounts = { pending: 0, processing: 0, sent: 0, error: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

export async function listDispatchErrors(
  ctx: StoreContext,
  dispatchId: string,
): Promise<DispatchErrorRecord[]> {
  if (!isRowId(dispatchId)) return [];
  const { rows } = await ctx.db.query<{ dispatch_id: string; error: string; at: Date }>(
    'listDispatchErrors',
    `SELECT dispatch_id, error, at FROM ${ctx.names.errors} WHERE dispatch_id = $1 ORDER BY id`,
    [dispatchId],
  );
  return rows.map((r) => ({ dispatchId: r.dispatch_id, error: r.error, at: r.at }));
}

export async function markRead(ctx: StoreContext, dispatchId: string, now: Date): Promise<boolean> {
  if (!isRowId(dispatchId)) return false;
  const { rowCount } = await ctx.db.query(
    'markRead',
    `UPDATE ${ctx.names.dispatches} SET read_status = 'read', read_at = $2 WHERE id = $1 AND read_status = 'unread'`,
    [dispatchId, now],
  );
  return rowCount === 1;
}

/**
 * Deletes sent dispatches (their error log goes with them), then the messages they leave with no
 * dispatch at all. Two statements in one transaction: a single statement's CTEs would still see
 * the deleted dispatches.
 */
export async function cleanup(ctx: StoreContext, request: CleanupRequest): Promise<CleanupResult> {
  const { names: n } = ctx;
  return ctx.db.transaction('cleanup', async (client) => {
    const deleted = await ctx.db.query<{ count: number; message_ids: string[] | null }>(
      'cleanup',
      `WITH x AS (
  DELETE FROM ${n.dispatches} WHERE status = 'sent' AND ($1::timestamptz IS NULL OR created_at < $1)
  RETURNING message_id
)
SELECT count(*)::integer AS count, array_agg(DISTINCT message_id) AS message_ids FROM x`,
      [request.before],
      client,
    );
    const { count, message_ids: ids } = deleted.rows[0] ?? { count: 0, message_ids: null };
    if (request.dispatchesOnly || !ids || ids.length === 0) return { dispatches: count, messages: 0 };
    const messages = await ctx.db.query(
      'cleanup',
      `DELETE FROM ${n.messages} m WHERE m.id = ANY($1::bigint[])
  AND NOT EXISTS (SELECT 1 FROM ${n.dispatches} d WHERE d.message_id = m.id)`,
      [ids],
      client,
    );
    return { dispatches: count, messages: messages.rowCount };
  });
}
