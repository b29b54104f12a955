import type { Sitemsg } from '@sitemsg/core';
import type { Command } from '../args.js';
import { ExitCode } from '../errors.js';
import { type CliIo, line } from '../io.js';

type CleanupCommand = Extract<Command, { name: 'cleanup' }>;

export async function cleanup(engine: Sitemsg, command: CleanupCommand, io: CliIo): Promise<ExitCode> {
  const result = await engine.cleanupSentMessages({
    ago: command.ago,
    dispatchesOnly: command.dispatchesOnly,
  });
  line(io.stdout, `deleted ${result.dispatches} sent dispatches / ${result.messages} messages`);
  return ExitCode.ok;
}
