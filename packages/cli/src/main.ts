import { readFileSync } from 'node:fs';
import type { Sitemsg } from '@sitemsg/core';
import { type Command, type Invocation, parseInvocation } from './args.js';
import { cleanup } from './commands/cleanup.js';
import { prepare } from './commands/prepare.js';
import { probe } from './commands/probe.js';
import { sendScheduled } from './commands/send-scheduled.js';
import { work } from './commands/work.js';
import { loadEngine } from './config/load.js';
import { ExitCode, errorLine, isUsageError } from './errors.js';
import { type CliIo, line, processIo } from './io.js';
import { helpFor } from './usage.js';

/** Runs one `sitemsg` command line and returns the exit code (0 ok, 1 config or runtime error, 2 usage). */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    line(io.stderr, `${errorLine(error)}\n`);
    line(io.stderr, helpFor(argv.find((a) => !a.startsWith('-'))));
    return ExitCode.usage;
  }
  if (invocation.kind === 'help') {
    line(io.stdout, helpFor(invocation.topic));
    return ExitCode.ok;
  }
  if (invocation.kind === 'version') {
    line(io.stdout, version());
    return ExitCode.ok;
  }
  try {
    await runCommand(invocation, io);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommandFailed) return error.exitCode;
    line(io.stderr, errorLine(error));
    if (invocation.verbose && error instanceof Error && error.stack) line(io.stderr, stackOf(error));
    return ExitCode.error;
  }
}

async function runCommand(invocation: Extract<Invocation, { kind: 'run' }>, io: CliIo): Promise<void> {
  const warn = (text: string): void => line(io.stderr, text);
  const loaded = await loadEngine({
    cwd: io.cwd,
    env: io.env,
    warn,
    ...(invocation.config !== undefined && { configPath: invocation.config }),
  });
  if (invocation.verbose) {
    warn(`[sitemsg] config: ${loaded.configFile}`);
    if (loaded.overrides.length > 0) warn(`[sitemsg] config: overridden by ${loaded.overrides.join(', ')}`);
  }
  const { engine } = loaded;
  try {
    // Connect before the command, so the store is ready (and seeded) when it is first read.
    await engine.init();
    const code = await dispatch(engine, invocation.command, io);
    if (code !== ExitCode.ok) throw new CommandFailed(code);
  } finally {
    await engine.close();
  }
}

function dispatch(engine: Sitemsg, command: Command, io: CliIo): Promise<ExitCode> {
  switch (command.name) {
    case 'send-scheduled':
      return sendScheduled(engine, command, io);
    case 'cleanup':
      return cleanup(engine, command, io);
    case 'probe':
      return probe(engine, command, io);
    case 'prepare':
      return prepare(engine, io);
    case 'work':
      return work(engine, command, io);
  }
}

/** A command that already reported its own failure and only needs its exit code passed on. */
class CommandFailed extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode) {
    super(`exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}

/** The stack and its causes: what --verbose adds under the one-line message. */
function stackOf(error: Error): string {
  const parts = [error.stack ?? ''];
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    parts.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return parts.join('\n');
}

function version(): string {
  // src/ and dist/ both sit one level below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
