import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import type { PostgresStore } from '../../src/index.js';
import type { WorkerConfig } from '../fixtures/worker.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface WorkerHandle {
  readonly id: string;
  readonly child: ChildProcess;
  /** Everything the worker logged (stderr), line by line. */
  readonly logs: string[];
  /** Dispatches its messenger recorded so far. */
  sent: number;
  /** The batch a holding worker is sitting on. */
  held: string[] | null;
  ready: Promise<void>;
  /** Asks the worker to finish its batch and exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Forks a worker process (the engine on PostgresStore, run from source through tsx). */
export function startWorker(config: WorkerConfig): WorkerHandle {
  const child = fork(join(packageDir, 'test', 'fixtures', 'worker.ts'), [], {
    cwd: packageDir,
    execArgv: ['--conditions=@sitemsg/source', '--import', 'tsx'],
    env: { ...process.env, SITEMSG_TEST_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let markReady: () => void = () => undefined;
  const handle: WorkerHandle = {
    id: config.workerId,
    child,
    logs: [],
    sent: 0,
    held: null,
    ready: new Promise<void>((resolve, reject) => {
      markReady = resolve;
      exited.then((code) =>
        reject(new Error(`worker ${config.workerId} exited (${code}) before it was ready`)),
      );
    }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.connected) child.send('stop');
      return exited;
    },
  };
  handle.ready.catch(() => undefined);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => handle.logs.push(...chunk.split('\n').filter(Boolean)));
  child.on('message', (message: { type: string; total?: number; ids?: string[] }) => {
    if (message.type === 'ready') markReady();
    if (message.type === 'sent') handle.sent = message.total ?? handle.sent;
    if (message.type === 'holding') handle.held = message.ids ?? [];
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return handle;
}

/** Waits for a condition by polling, up to `timeoutMs`; fails with `what` if it never holds. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The table the workers' recording messenger writes every send into. */
export async function createSendsTable(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `CREATE TABLE "${schema}".sends (n bigint GENERATED ALWAYS AS IDENTITY, dispatch_id bigint NOT NULL, address text NOT NULL, worker text NOT NULL)`,
  );
  await client.end();
}

/** Schedules `count` dispatches in messages of 1,000 recipients. */
export async function scheduleDispatches(store: PostgresStore, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const size = Math.min(1000, count - start);
    await store.schedule({
      message: {
        type: 'plain',
        context: { text: `batch ${start}` },
        senderId: null,
        priority: 0,
        sendAt: null,
        idempotencyKey: null,
        groupMark: null,
        dispatchesReady: true,
      },
      dispatches: Array.from({ length: size }, (_, i) => ({
        messenger: 'test',
        address: `r${start + i}@x.test`,
        userId: null,
      })),
      now: new Date(),
    });
  }
}

export interface SendsSummary {
  readonly total: number;
  readonly distinct: number;
  /** Dispatch ids sent more than once, with how often. */
  readonly repeated: Map<string, number>;
  /** Addresses whose sends carried more than one dispatch id (must be none). */
  readonly addressesWithSeveralIds: number;
}

export async function summariseSends(pool: pg.Pool, schema: string): Promise<SendsSummary> {
  const totals = await pool.query<{ total: number; distinct: number; several: number }>(
    `SELECT count(*)::int AS total, count(DISTINCT dispatch_id)::int AS distinct,
       (SELECT count(*)::int FROM (SELECT address FROM "${schema}".sends GROUP BY address HAVING count(DISTINCT dispatch_id) > 1) x) AS several
     FROM "${schema}".sends`,
  );
  const repeated = await pool.query<{ dispatch_id: string; times: number }>(
    `SELECT dispatch_id, count(*)::int AS times FROM "${schema}".sends GROUP BY dispatch_id HAVING count(*) > 1`,
  );
  const row = totals.rows[0]!;
  return {
    total: row.total,
    distinct: row.distinct,
    repeated: new Map(repeated.rows.map((r) => [r.dispatch_id, r.times])),
    addressesWithSeveralIds: row.several,
  };
}
