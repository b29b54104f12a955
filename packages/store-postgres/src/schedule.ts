import {
  ConfigurationError,
  type DispatchRecord,
  type MessageRecord,
  type NewDispatch,
  type ScheduleRequest,
  type ScheduleResult,
  type StoreScheduleOptions,
  scheduleManyError,
  ValidationError,
} from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';
import { atomicallyOn, isRowId, type Queryable } from './db.js';
import {
  dispatchValues,
  INSERTED_COLUMNS,
  INSERTED_IDS,
  type InsertedIdsRow,
  insertedDispatches,
  unnestDispatches,
} from './inserts.js';
import { MESSAGE_COLUMNS, type MessageRow, newDispatchRecords, newMessageRecord, toMessage } from './rows.js';
import { mediaValue } from './suppressions.js';

/**
 * Writes a message and its dispatches. The common case is one statement (atomic on its own, so
 * it needs no transaction even on the application's client); grouping takes a transaction, or a
 * savepoint inside the application's.
 */
export async function schedule(
  ctx: StoreContext,
  request: ScheduleRequest,
  options: StoreScheduleOptions | undefined,
): Promise<ScheduleResult> {
  const client = options?.client === undefined ? null : asQueryable(options.client);
  let result: ScheduleResult;
  if (!isGrouping(request)) {
    result = await insertOrFindDuplicate(ctx, request, client ?? ctx.db.pool);
  } else if (client) {
    result = await atomicallyOn(client, 'schedule', (q) => scheduleGrouped(ctx, request, q));
  } else {
    result = await ctx.db.transaction('schedule', (q) => scheduleGrouped(ctx, request, q));
  }
  // Inside the application's transaction nothing is visible yet: the NOTIFY fires at its commit.
  if (!client && result.dispatches.length > 0) ctx.wakeLocal();
  return result;
}

/**
 * Several messages in one transaction (a savepoint inside the application's): each written as
 * `schedule` writes it; the first that fails rolls all of them back.
 */
export async function scheduleMany(
  ctx: StoreContext,
  requests: readonly ScheduleRequest[],
  options: StoreScheduleOptions | undefined,
): Promise<ScheduleResult[]> {
  const client = options?.client === undefined ? null : asQueryable(options.client);
  let failed = -1;
  const writeAll = async (q: Queryable): Promise<ScheduleResult[]> => {
    const results: ScheduleResult[] = [];
    for (const [index, request] of requests.entries()) {
      failed = index;
      results.push(
        isGrouping(request)
          ? await scheduleGrouped(ctx, request, q)
          : await insertOrFindDuplicate(ctx, request, q),
      );
    }
    failed = -1;
    return results;
  };
  let results: ScheduleResult[];
  try {
    results = client
      ? await atomicallyOn(client, 'schedule', writeAll)
      : await ctx.db.transaction('schedule', writeAll);
  } catch (error) {
    if (failed < 0) throw error;
    throw scheduleManyError('postgres', failed, requests, error);
  }
  if (!client && results.some((r) => r.dispatches.length > 0)) ctx.wakeLocal();
  return results;
}

function isGrouping(request: ScheduleRequest): boolean {
  return request.merge !== undefined && request.message.groupMark !== null;
}

function asQueryable(client: unknown): Queryable {
  if (typeof client !== 'object' || client === null || typeof (client as Queryable).query !== 'function') {
    throw new ConfigurationError(
      '[sitemsg] [postgres] options.client must be a pg client (e.g. a pg.PoolClient inside BEGIN).',
    );
  }
  return client as Queryable;
}

async function insertOrFindDuplicate(
  ctx: StoreContext,
  request: ScheduleRequest,
  on: Queryable,
): Promise<ScheduleResult> {
  const inserted = await insertMessage(ctx, request, on);
  if (inserted) return inserted;
  const existing = await findByKey(ctx, request.message.idempotencyKey, on);
  if (!existing) {
    throw new ValidationError(
      `[sitemsg] [postgres] idempotency key "${request.message.idempotencyKey}" conflicted but its message is gone: retry.`,
    );
  }
  return { message: existing, dispatches: [], outcome: 'duplicate' };
}

/**
 * One statement: the message, its dispatches by `unnest`, and the NOTIFY; no row back on a
 * duplicate key. The message id is read once (`(SELECT id FROM m)`), not joined to every row.
 */
async function insertMessage(
  ctx: StoreContext,
  request: ScheduleRequest,
  on: Queryable,
): Promise<ScheduleResult | null> {
  const { names: n } = ctx;
  const { message, dispatches, now } = request;
  const notify = message.dispatchesReady && dispatches.length > 0;
  const u = unnestDispatches(n, 11, { messageType: '$1', media: '$15' });
  const { rows } = await ctx.db.hot<{ id: string } & InsertedIdsRow>(
    'schedule',
    `WITH m AS (
  INSERT INTO ${n.messages}
    (type, context, sender_id, priority, dispatches_ready, created_at, send_at, idempotency_key, group_mark)
  VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id
), d AS (
  INSERT INTO ${n.dispatches}
    (message_id, messenger, address, user_id, priority, message_type, status, due_at, queued, created_at, grouped)
  SELECT (SELECT id FROM m), ${u.messenger}, u.address, u.user_id, $4, $1, 'pending', $10::timestamptz,
    $10::timestamptz IS NULL, $6, $9::text IS NOT NULL
  FROM ${u.from} WHERE EXISTS (SELECT 1 FROM m) AND ${u.keep}
  ORDER BY u.n
  RETURNING id
), ${INSERTED_IDS}
SELECT m.id, ${INSERTED_COLUMNS}, ${u.leftOut}${notify ? `, pg_notify($16, '')` : ''}
FROM m, ids`,
    [
      message.type,
      JSON.stringify(message.context),
      message.senderId,
      message.priority,
      message.dispatchesReady,
      now,
      message.sendAt,
      message.idempotencyKey,
      message.groupMark,
      dueAt(message.sendAt, now),
      ...dispatchValues(dispatches),
      mediaValue(request.media),
      ...(notify ? [n.channel] : []),
    ],
    on,
  );
  const row = rows[0];
  if (!row) return null;
  const { written, ids } = insertedDispatches(dispatches, row);
  return {
    message: newMessageRecord(row.id, message, now),
    dispatches: newDispatchRecords(row.id, ids, written, now),
    outcome: 'created',
  };
}

/** Grouping: joins the first open message of the same type and mark, serialised per group by an advisory lock. */
async function scheduleGrouped(
  ctx: StoreContext,
  request: ScheduleRequest,
  q: Queryable,
): Promise<ScheduleResult> {
  const { names: n } = ctx;
  const { message } = request;
  const duplicate = await findByKey(ctx, message.idempotencyKey, q);
  if (duplicate) return { message: duplicate, dispatches: [], outcome: 'duplicate' };
  await ctx.db.query(
    'schedule',
    'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
    [`${n.lockScope}:group:${JSON.stringify([message.type, message.groupMark])}`],
    q,
  );
  const group = await lockOpenGroup(ctx, request, q);
  if (!group) return insertOrFindDuplicate(ctx, request, q);
  const merged = request.merge!(group.message.context);
  await ctx.db.query(
    'schedule',
    `UPDATE ${n.messages} SET context = $2::jsonb WHERE id = $1`,
    [group.message.id, JSON.stringify(merged)],
    q,
  );
  const fresh = request.dispatches.filter((d) => !group.addresses.has(addressKey(d)));
  const created = await insertDispatches(ctx, { ...group.message, context: merged }, fresh, request, q);
  return { message: { ...group.message, context: merged }, dispatches: created, outcome: 'grouped' };
}

/**
 * The open group's message row and all its dispatch rows, locked. A dispatch that a worker has
 * claimed meanwhile makes the group closed: the new message then stands on its own.
 */
async function lockOpenGroup(
  ctx: StoreContext,
  request: ScheduleRequest,
  q: Queryable,
): Promise<{ message: MessageRecord; addresses: Set<string> } | null> {
  const { names: n } = ctx;
  const { message } = request;
  const { rows } = await ctx.db.query<MessageRow>(
    'schedule',
    `SELECT ${MESSAGE_COLUMNS} FROM ${n.messages} m
WHERE type = $1 AND group_mark = $2 AND dispatches_ready = $3
  AND NOT EXISTS (SELECT 1 FROM ${n.dispatches} d
    WHERE d.message_id = m.id AND d.grouped AND (d.status <> 'pending' OR d.attempts > 0))
ORDER BY id LIMIT 1 FOR UPDATE`,
    [message.type, message.groupMark, message.dispatchesReady],
    q,
  );
  const row = rows[0];
  if (!row) return null;
  const locked = await ctx.db.query<{ messenger: string; address: string; status: string; attempts: number }>(
    'schedule',
    `SELECT messenger, address, status, attempts FROM ${n.dispatches} WHERE message_id = $1 AND grouped ORDER BY id FOR UPDATE`,
    [row.id],
    q,
  );
  if (locked.rows.some((d) => d.status !== 'pending' || d.attempts > 0)) return null;
  return { message: toMessage(row), addresses: new Set(locked.rows.map(addressKey)) };
}

/** Adds dispatches to a postponed message and marks it ready, in one statement. */
export async function addDispatches(
  ctx: StoreContext,
  messageId: string,
  dispatches: readonly NewDispatch[],
  now: Date,
): Promise<DispatchRecord[]> {
  const { names: n } = ctx;
  const missing = (): ValidationError =>
    new ValidationError(`[sitemsg] [postgres] Message ${messageId} does not exist.`);
  if (!isRowId(messageId)) throw missing();
  const u = unnestDispatches(n, 3, null);
  const { rows } = await ctx.db.query<{ id: string } & InsertedIdsRow>(
    'addDispatches',
    `WITH m AS (
  UPDATE ${n.messages} SET dispatches_ready = true WHERE id = $1
  RETURNING id, type, priority, CASE WHEN send_at > $2 THEN send_at END AS due_at, group_mark IS NOT NULL AS grouped
), d AS (
  INSERT INTO ${n.dispatches}
    (message_id, messenger, address, user_id, priority, message_type, status, due_at, queued, created_at, grouped)
  SELECT m.id, ${u.messenger}, u.address, u.user_id, m.priority, m.type, 'pending', m.due_at, m.due_at IS NULL, $2,
    m.grouped
  FROM m, ${u.from}
  ORDER BY u.n
  RETURNING id
), ${INSERTED_IDS}
SELECT m.id, ${INSERTED_COLUMNS}, ${u.leftOut}${dispatches.length > 0 ? `, pg_notify($7, '')` : ''}
FROM m, ids`,
    [messageId, now, ...dispatchValues(dispatches), ...(dispatches.length > 0 ? [n.channel] : [])],
  );
  const row = rows[0];
  if (!row) throw missing();
  if (dispatches.length > 0) ctx.wakeLocal();
  const { written, ids } = insertedDispatches(dispatches, row);
  return newDispatchRecords(messageId, ids, written, now);
}

async function insertDispatches(
  ctx: StoreContext,
  message: MessageRecord,
  dispatches: readonly NewDispatch[],
  { now, media }: ScheduleRequest,
  q: Queryable,
): Promise<DispatchRecord[]> {
  if (dispatches.length === 0) return [];
  const { names: n } = ctx;
  const u = unnestDispatches(n, 6, { messageType: '$3', media: '$10' });
  const { rows } = await ctx.db.query<InsertedIdsRow>(
    'schedule',
    `WITH d AS (
  INSERT INTO ${n.dispatches}
    (message_id, messenger, address, user_id, priority, message_type, status, due_at, queued, created_at, grouped)
  SELECT $1, ${u.messenger}, u.address, u.user_id, $2, $3, 'pending', $4::timestamptz, $4::timestamptz IS NULL, $5, true
  FROM ${u.from} WHERE ${u.keep}
  ORDER BY u.n
  RETURNING id
), ${INSERTED_IDS}
SELECT ${INSERTED_COLUMNS}, ${u.leftOut}${message.dispatchesReady ? `, pg_notify($11, '')` : ''} FROM ids`,
    [
      message.id,
      message.priority,
      message.type,
      dueAt(message.sendAt, now),
      now,
      ...dispatchValues(dispatches),
      mediaValue(media),
      ...(message.dispatchesReady ? [n.channel] : []),
    ],
    q,
  );
  const row = rows[0] ?? { first_id: null, dispatch_ids: null, suppressed: [] };
  const { written, ids } = insertedDispatches(dispatches, row);
  return newDispatchRecords(message.id, ids, written, now);
}

async function findByKey(
  ctx: StoreContext,
  key: string | null,
  on: Queryable,
): Promise<MessageRecord | null> {
  if (key === null) return null;
  const { rows } = await ctx.db.query<MessageRow>(
    'schedule',
    `SELECT ${MESSAGE_COLUMNS} FROM ${ctx.names.messages} WHERE idempotency_key = $1`,
    [key],
    on,
  );
  return rows[0] ? toMessage(rows[0]) : null;
}

/** A dispatch waits for its message's send-at time; otherwise it is queued at once (NULL). */
function dueAt(sendAt: Date | null, now: Date): Date | null {
  return sendAt !== null && sendAt > now ? sendAt : null;
}

function addressKey(d: { messenger: string; address: string }): string {
  return `${d.messenger}\u0000${d.address}`;
}
