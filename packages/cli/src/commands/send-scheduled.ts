import type { Sitemsg } from '@sitemsg/core';
import type { Command } from '../args.js';
import { ExitCode } from '../errors.js';
import { type CliIo, line } from '../io.js';
import { createProgress } from '../output.js';

type SendCommand = Extract<Command, { name: 'send-scheduled' }>;

export async function sendScheduled(engine: Sitemsg, command: SendCommand, io: CliIo): Promise<ExitCode> {
  const batchSize = command.batchSize ?? 100;
  const progress = createProgress(io.stdout, await expectedOnTerminal(engine, io), batchSize);
  const stop = stopOnSignals(io);
  try {
    const totals = await engine.sendScheduledMessages({
      batchSize,
      signal: stop.signal,
      ...(command.priority !== undefined && { priority: command.priority }),
      ...(command.concurrency !== undefined && { concurrency: command.concurrency }),
      ...(command.ignoreUnknown && { ignoreUnknownMessengers: true, ignoreUnknownMessageTypes: true }),
      onBatch: (running) => progress.update(running),
    });
    progress.finish(totals);
    return ExitCode.ok;
  } finally {
    stop.dispose();
  }
}

/** The bar's total, only counted for a terminal: a cron run should not pay for a count over the whole store. */
async function expectedOnTerminal(engine: Sitemsg, io: CliIo): Promise<number> {
  if (io.stdout.isTTY !== true) return 0;
  const counts = await engine.store.countDispatches();
  return counts.pending + counts.error + counts.processing;
}

/**
 * SIGTERM / SIGINT stop claiming new batches; the ones in hand finish and are recorded, so a
 * stopped cron run leaves nothing to wait for a lease to expire. A second signal ends the process.
 */
function stopOnSignals(io: CliIo): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    line(io.stderr, '[sitemsg] stopping: finishing the batches in hand (signal again to exit at once).');
    controller.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    },
  };
}
