import type { Sitemsg } from '@sitemsg/core';
import type { Command } from '../args.js';
import { bareMessage, ExitCode } from '../errors.js';
import { type CliIo, line } from '../io.js';

type ProbeCommand = Extract<Command, { name: 'probe' }>;

export async function probe(engine: Sitemsg, command: ProbeCommand, io: CliIo): Promise<ExitCode> {
  const result = await engine.sendTestMessage(command.messenger, {
    to: command.to,
    ...(command.text !== undefined && { text: command.text }),
  });
  if (result.ok) {
    const id = result.value.providerMessageId;
    line(io.stdout, `probe ${command.messenger}: sent to ${command.to}${id ? ` (provider id ${id})` : ''}`);
    return ExitCode.ok;
  }
  const retry = result.error.retryable ? 'retryable' : 'permanent';
  line(io.stderr, `[sitemsg] [${command.messenger}] probe failed (${retry}): ${bareMessage(result.error)}`);
  return ExitCode.error;
}
