import type { SendCounts, Sitemsg } from '@sitemsg/core';
import type { Command } from '../args.js';
import { ExitCode } from '../errors.js';
import { type CliIo, line } from '../io.js';
import { formatCounts, processed } from '../output.js';

type WorkCommand = Extract<Command, { name: 'work' }>;

/** Runs core's worker; it stops on SIGTERM / SIGINT after the batches in hand. One line per round with news. */
export async function work(engine: Sitemsg, command: WorkCommand, io: CliIo): Promise<ExitCode> {
  const pollInterval = command.pollInterval ?? 1000;
  line(io.stdout, `worker ${engine.workerId} started (polling every ${pollInterval} ms; SIGTERM stops it)`);
  let last = 0;
  const totals = await engine.work({
    pollInterval,
    ...(command.concurrency !== undefined && { concurrency: command.concurrency }),
    ...(command.batchSize !== undefined && { batchSize: command.batchSize }),
    ...(command.priority !== undefined && { priority: command.priority }),
    onRound: (running: SendCounts) => {
      if (processed(running) === last) return;
      last = processed(running);
      line(io.stdout, formatCounts(running));
    },
  });
  line(io.stdout, `worker stopped: ${formatCounts(totals)}`);
  return ExitCode.ok;
}
