import {
  ALL_MESSAGE_TYPES,
  type ClaimedDispatch,
  type ClaimRequest,
  type CompletionOutcome,
  type JsonObject,
  type MessageRecord,
  type MessengerMedia,
} from '@sitemsg/core/plugin';
import { type ClaimedJson, ClaimedRecord, toDate } from './claimed-record.js';
import type { StoreContext } from './context.js';
import { isRowId, type Queryable, textArray } from './db.js';
import type { Names } from './names.js';
import { mediaValue, suppressionProbe } from './suppressions.js';

export interface ClaimFilters {
  readonly priority?: number | undefined;
  readonly messengers?: readonly string[] | undefined;
  readonly messageTypes?: readonly string[] | undefined;
}

/**
 * The claim statement and its values ($1 owner, $2 lease expiry, $3 now, then the filters).
 * Its shape is deliberate: `id = ANY(ARRAY(SELECT ... FOR UPDATE SKIP LOCKED LIMIT n))` walks the
 * partial index of queued rows in priority order and stops after n rows, where `IN (SELECT ...)`
 * or a CTE of ids planned a sequential scan. A leased row stays in that index, skipped while its
 * lease lives and claimable again once it has expired; the claim changes no indexed column, so
 * PostgreSQL rewrites each row in place on its page (a HOT update) without touching an index.
 * With `guarded`, it claims nothing while a waiting row is due now: such rows must be queued
 * first, so that the claim takes them in order.
 * It runs as a prepared statement whose generic plan PostgreSQL adopts after a few runs (no
 * planning per batch), so that plan must hold for any parameter values (a test checks it); the
 * limit is written into the text (a checked integer) so that the generic plan knows it.
 */
export function claimStatement(
  n: Names,
  head: { owner: string; now: Date; until: Date; limit: number },
  filters: ClaimFilters,
  guarded = false,
): ClaimSql {
  const values: unknown[] = [head.owner, head.until, head.now];
  const where = ['queued', `(lease_expires_at IS NULL OR lease_expires_at <= $3)`];
  if (guarded) where.push(`NOT ${dueWaiting(n)}`);
  if (filters.priority !== undefined) {
    values.push(filters.priority);
    // Not `priority = $n`: with priority fixed, ORDER BY reduces to id and the planner walks the
    // primary key past every finished row. A range keeps the claimable index the only ordered path.
    where.push(`priority >= $${values.length} AND priority <= $${values.length}`);
  }
  if (filters.messengers !== undefined) {
    values.push(filters.messengers);
    where.push(`messenger = ANY($${values.length}::text[])`);
  }
  if (filters.messageTypes !== undefined) {
    values.push(filters.messageTypes);
    where.push(`message_type = ANY($${values.length}::text[])`);
  }
  const limit = Math.min(Math.max(1, Math.floor(head.limit)), MAX_LIMIT);
  const text = `UPDATE ${n.dispatches}
SET status = 'processing', attempts = attempts + 1, lease_owner = $1, lease_expires_at = $2
WHERE id = ANY(ARRAY(
  SELECT id FROM ${n.dispatches}
  WHERE ${where.join(' AND ')}
  ORDER BY priority DESC, id
  FOR UPDATE SKIP LOCKED
  LIMIT ${limit}))
RETURNING id, message_id, messenger, address, user_id, read_status, attempts, last_error, next_attempt_at,
  created_at, dispatched_at, read_at, priority, message_type`;
  return { text, values, guarded };
}

/** A claim returns at most this many rows, whatever limit it is given. */
const MAX_LIMIT = 100_000;

export interface ClaimSql {
  readonly text: string;
  readonly values: unknown[];
  /** Whether it stands back while a waiting row is due (then it also reports that as `due`). */
  readonly guarded: boolean;
}

/**
 * Whether a waiting row's time has come (now is the claim's $3). The earliest time is read first,
 * by the index of waiting rows: unlike `EXISTS (... due_at <= $3)`, whose generic plan may guess
 * a third of the table matches and scan it, this subquery has no parameter to misjudge.
 */
function dueWaiting(n: Names): string {
  return `coalesce((SELECT min(due_at) FROM ${n.dispatches} WHERE NOT queued AND due_at IS NOT NULL) <= $3, false)`;
}

const PROMOTE_CHUNK = 5000;

/** Moves every waiting row that is due at `now` into the queue (in chunks; concurrent callers skip each other's rows). */
async function promoteDue(ctx: StoreContext, now: Date): Promise<void> {
  const { names: n } = ctx;
  for (;;) {
    const { rowCount } = await ctx.db.query(
      'claim',
      `UPDATE ${n.dispatches} SET queued = true, due_at = NULL
WHERE id = ANY(ARRAY(
  SELECT id FROM ${n.dispatches} WHERE NOT queued AND due_at <= $1
  ORDER BY due_at FOR UPDATE SKIP LOCKED LIMIT ${PROMOTE_CHUNK}))`,
      [now],
    );
    if (rowCount < PROMOTE_CHUNK) return;
  }
}

type MessageJson = [
  id: string,
  type: string,
  context: JsonObject,
  senderId: string | null,
  priority: number,
  dispatchesReady: boolean,
  createdAt: string,
  sendAt: string | null,
  idempotencyKey: string | null,
  groupMark: string | null,
];

/**
 * Claims a batch and reads its messages in the same statement: one round trip per batch. The
 * rows come back as two JSON arrays, each message once however many of its dispatches were
 * claimed; this parses faster than a row per dispatch joined with its message.
 */
export async function claim(ctx: StoreContext, request: ClaimRequest): Promise<ClaimedDispatch[]> {
  if (!(request.limit >= 1)) return [];
  const until = new Date(request.now.getTime() + request.leaseMs);
  const head = { owner: request.owner, now: request.now, until, limit: Math.floor(request.limit) };
  // Usually one round trip; when retries or send-at times have come due, the claim stands back,
  // the due rows are queued, and the claim runs again.
  const first = toClaimed(
    request.owner,
    until,
    await runClaim(ctx, claimStatement(ctx.names, head, request, true), request.media),
  );
  if (!first.due) return first.claimed;
  await promoteDue(ctx, request.now);
  // The guard and the flag read one snapshot, so `first` claimed nothing; counted all the same.
  const rest = { ...head, limit: head.limit - first.claimed.length };
  if (rest.limit < 1) return first.claimed;
  const second = await runClaim(ctx, claimStatement(ctx.names, rest, request), request.media);
  return [...first.claimed, ...toClaimed(request.owner, until, second).claimed];
}

interface ClaimResult {
  readonly d: ClaimedJson[] | null;
  readonly m: MessageJson[] | null;
  readonly due: boolean;
}

/**
 * Turns `synchronous_commit` off for the statement's own transaction (it ends with the
 * statement): the claim's commit does not wait for the disk flush. Losing a claim in a crash only
 * makes its batch claimable again; the completion that follows waits for the flush, which then
 * covers the claim too (the log is written in order).
 */
const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)";

async function runClaim(
  ctx: StoreContext,
  statement: ClaimSql,
  media: MessengerMedia | undefined,
): Promise<ClaimResult> {
  const { names: n } = ctx;
  // The suppression probe per dispatch is skipped outright while no address is suppressed at all.
  // It names the suppression found (the type's own, else the one of every type), on the
  // dispatch's messenger or its medium (the request's media): primary-key probes for an address
  // with none, and the answer findSuppressed gives.
  const probe = (type: string) =>
    `(SELECT s.message_type FROM ${n.suppressions} s
         WHERE ${suppressionProbe('s', type, 'c.messenger', 'c.address', `$${statement.values.length + 1}`)} LIMIT 1)`;
  const { rows } = await ctx.db.hot<ClaimResult>(
    'claim',
    `WITH c AS (${statement.text})
SELECT
  (SELECT json_agg(json_build_array(c.id::text, c.message_id::text, c.messenger, c.address, c.user_id,
     c.read_status, c.attempts, c.last_error, c.next_attempt_at, c.created_at, c.dispatched_at, c.read_at,
     CASE WHEN (SELECT EXISTS (SELECT 1 FROM ${n.suppressions})) THEN coalesce(
       ${probe('c.message_type')},
       ${probe(`'${ALL_MESSAGE_TYPES}'`)}) END)
     ORDER BY c.priority DESC, c.id) FROM c) AS d,
  (SELECT json_agg(json_build_array(m.id::text, m.type, m.context, m.sender_id, m.priority, m.dispatches_ready,
     m.created_at, m.send_at, m.idempotency_key, m.group_mark))
   FROM ${n.messages} m WHERE m.id = ANY(ARRAY(SELECT DISTINCT c.message_id FROM c))) AS m,
  ${statement.guarded ? dueWaiting(n) : 'false'} AS due${
    ctx.synchronousClaims
      ? ''
      : `,
  ${ASYNC_COMMIT} AS async_commit`
  }`,
    [...statement.values, mediaValue(media)],
  );
  return rows[0] ?? { d: null, m: null, due: false };
}

/** Records from the JSON rows; lease owner and expiry are the ones this claim just set. */
function toClaimed(
  owner: string,
  until: Date,
  result: ClaimResult,
): { claimed: ClaimedDispatch[]; due: boolean } {
  const messages = new Map((result.m ?? []).map((m) => [m[0], messageFromJson(m)]));
  const lease = { owner, until };
  const claimed = (result.d ?? []).map((d) => ({
    dispatch: new ClaimedRecord(d, lease),
    message: messages.get(d[1])!,
    // The claim checked the suppressions in its own statement (this type's, or every type's).
    suppressed: d[12] !== null,
  }));
  return { claimed, due: result.due };
}

function messageFromJson(m: MessageJson): MessageRecord {
  return {
    id: m[0],
    type: m[1],
    context: m[2],
    senderId: m[3],
    priority: m[4],
    dispatchesReady: m[5],
    createdAt: new Date(m[6]),
    sendAt: toDate(m[7]),
    idempotencyKey: m[8],
    groupMark: m[9],
  };
}

export async function renewLeases(
  ctx: StoreContext,
  owner: string,
  dispatchIds: readonly string[],
  until: Date,
): Promise<number> {
  const ids = dispatchIds.filter(isRowId);
  if (ids.length === 0) return 0;
  const { rowCount } = await ctx.db.hot(
    'renewLeases',
    `UPDATE ${ctx.names.dispatches} SET lease_expires_at = $3
WHERE id = ANY($2::bigint[]) AND status = 'processing' AND lease_owner = $1`,
    [owner, ids, until],
  );
  return rowCount;
}

/**
 * Writes a batch of outcomes with one statement per outcome kind, each fenced by the lease owner:
 * a worker whose lease was taken over writes nothing. Several kinds share one transaction.
 */
export async function complete(
  ctx: StoreContext,
  owner: string,
  outcomes: readonly CompletionOutcome[],
  now: Date,
): Promise<number> {
  const sent: Extract<CompletionOutcome, { status: 'sent' }>[] = [];
  const retry: Extract<CompletionOutcome, { status: 'error' }>[] = [];
  const failed: Extract<CompletionOutcome, { status: 'failed' }>[] = [];
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (!isRowId(o.dispatchId) || seen.has(o.dispatchId)) continue;
    seen.add(o.dispatchId);
    if (o.status === 'sent') sent.push(o);
    else if (o.status === 'error') retry.push(o);
    else failed.push(o);
  }
  const statements = [
    ...(sent.length > 0 ? [markSent(ctx.names, owner, sent, now)] : []),
    ...(retry.length > 0 ? [markError(ctx.names, owner, retry, now)] : []),
    ...(failed.length > 0 ? [markFailed(ctx.names, owner, failed, now)] : []),
  ];
  if (statements.length === 0) return 0;
  const run = async (q: Queryable): Promise<number> => {
    let written = 0;
    for (const s of statements) written += (await ctx.db.hot('complete', s.text, s.values, q)).rowCount;
    return written;
  };
  const written =
    statements.length === 1 ? await run(ctx.db.pool) : await ctx.db.transaction('complete', run);
  if (retry.length > 0) ctx.wakeLocal();
  return written;
}

interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

const FENCE = "d.status = 'processing' AND d.lease_owner = $1";
/** Out of the claim index (a leased row is still in it) and out of the lease. */
const RELEASE = 'queued = false, lease_owner = NULL, lease_expires_at = NULL';

/** With the provider's message id and receipt beside each id (NULL where it gave none), in the same statement. */
function markSent(
  n: Names,
  owner: string,
  outcomes: Extract<CompletionOutcome, { status: 'sent' }>[],
  now: Date,
): Statement {
  return {
    text: `UPDATE ${n.dispatches} d SET status = 'sent', dispatched_at = $3, last_error = NULL,
  next_attempt_at = NULL, provider_message_id = o.provider_id, receipt = o.receipt::jsonb, ${RELEASE}
FROM unnest($2::bigint[], $4::text[], $5::text[]) AS o(id, provider_id, receipt)
WHERE d.id = o.id AND ${FENCE}`,
    values: [
      owner,
      textArray(outcomes.map((o) => o.dispatchId)),
      now,
      textArray(outcomes.map((o) => o.providerMessageId ?? null)),
      textArray(outcomes.map((o) => (o.receipt === undefined ? null : JSON.stringify(o.receipt)))),
    ],
  };
}

/** Retries wait for their back-off; the NOTIFY lets idle workers recompute their wait. */
function markError(
  n: Names,
  owner: string,
  outcomes: Extract<CompletionOutcome, { status: 'error' }>[],
  now: Date,
): Statement {
  return {
    text: `WITH u AS (
  UPDATE ${n.dispatches} d SET status = 'error', last_error = o.error, next_attempt_at = o.next_at,
    due_at = o.next_at, ${RELEASE}
  FROM unnest($2::bigint[], $3::text[], $4::timestamptz[]) AS o(id, error, next_at)
  WHERE d.id = o.id AND ${FENCE}
  RETURNING d.id, o.error
), log AS (
  INSERT INTO ${n.errors} (dispatch_id, error, at) SELECT id, error, $5 FROM u
)
SELECT u.id, pg_notify($6, '') FROM u`,
    values: [
      owner,
      outcomes.map((o) => o.dispatchId),
      outcomes.map((o) => o.error),
      outcomes.map((o) => o.nextAttemptAt),
      now,
      n.channel,
    ],
  };
}

function markFailed(
  n: Names,
  owner: string,
  outcomes: Extract<CompletionOutcome, { status: 'failed' }>[],
  now: Date,
): Statement {
  return {
    text: `WITH u AS (
  UPDATE ${n.dispatches} d SET status = 'failed', last_error = o.error, next_attempt_at = NULL,
    ${RELEASE}
  FROM unnest($2::bigint[], $3::text[]) AS o(id, error)
  WHERE d.id = o.id AND ${FENCE}
  RETURNING d.id, o.error
)
INSERT INTO ${n.errors} (dispatch_id, error, at) SELECT id, error, $4 FROM u`,
    values: [owner, outcomes.map((o) => o.dispatchId), outcomes.map((o) => o.error), now],
  };
}
