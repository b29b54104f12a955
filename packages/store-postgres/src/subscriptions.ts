import type { Subscription, SubscriptionFilter } from '@sitemsg/core/plugin';
import type { StoreContext } from './context.js';

interface SubscriptionRow {
  message_type: string;
  messenger: string;
  user_id: string | null;
  address: string | null;
}

const toSubscription = (r: SubscriptionRow): Subscription => ({
  messageType: r.message_type,
  messenger: r.messenger,
  userId: r.user_id,
  address: r.address,
});

/** WHERE clauses from the filter's fields; column names are fixed here, values are parameters. */
function filterWhere(filter: SubscriptionFilter, values: unknown[]): string {
  const columns = [
    ['message_type', filter.messageType],
    ['messenger', filter.messenger],
    ['user_id', filter.userId],
    ['address', filter.address],
  ] as const;
  const where: string[] = [];
  for (const [column, value] of columns) {
    if (value === undefined) continue;
    values.push(value);
    where.push(`${column} = $${values.length}`);
  }
  return where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
}

export async function listSubscriptions(
  ctx: StoreContext,
  filter: SubscriptionFilter,
): Promise<Subscription[]> {
  const values: unknown[] = [];
  const { rows } = await ctx.db.query<SubscriptionRow>(
    'listSubscriptions',
    `SELECT message_type, messenger, user_id, address FROM ${ctx.names.subscriptions}${filterWhere(filter, values)} ORDER BY id`,
    values,
  );
  return rows.map(toSubscription);
}

export async function addSubscription(ctx: StoreContext, s: Subscription): Promise<boolean> {
  const { rowCount } = await ctx.db.query(
    'addSubscription',
    `INSERT INTO ${ctx.names.subscriptions} (message_type, messenger, user_id, address) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING`,
    [s.messageType, s.messenger, s.userId, s.address],
  );
  return rowCount === 1;
}

export async function removeSubscriptions(
  ctx: StoreContext,
  filter: SubscriptionFilter & { messageType: string; messenger: string },
): Promise<number> {
  const values: unknown[] = [];
  const { rowCount } = await ctx.db.query(
    'removeSubscriptions',
    `DELETE FROM ${ctx.names.subscriptions}${filterWhere(filter, values)}`,
    values,
  );
  return rowCount;
}

/** Removes the user's subscriptions for the pairs in scope and adds the selected ones, in one transaction. */
export async function replaceUserSubscriptions(
  ctx: StoreContext,
  userId: string,
  scope: readonly { messageType: string; messenger: string }[],
  selected: readonly Subscription[],
): Promise<void> {
  const { names: n } = ctx;
  await ctx.db.transaction('replaceUserSubscriptions', async (client) => {
    await ctx.db.query(
      'replaceUserSubscriptions',
      `DELETE FROM ${n.subscriptions} s USING unnest($2::text[], $3::text[]) AS p(message_type, messenger)
WHERE s.user_id = $1 AND s.message_type = p.message_type AND s.messenger = p.messenger`,
      [userId, scope.map((p) => p.messageType), scope.map((p) => p.messenger)],
      client,
    );
    await ctx.db.query(
      'replaceUserSubscriptions',
      `INSERT INTO ${n.subscriptions} (message_type, messenger, user_id, address)
SELECT u.message_type, u.messenger, $1, u.address
FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(message_type, messenger, address, n)
ORDER BY u.n
ON CONFLICT DO NOTHING`,
      [
        userId,
        selected.map((s) => s.messageType),
        selected.map((s) => s.messenger),
        selected.map((s) => s.address),
      ],
      client,
    );
  });
}
