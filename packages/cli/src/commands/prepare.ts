import type { Sitemsg } from '@sitemsg/core';
import { ExitCode } from '../errors.js';
import { type CliIo, line } from '../io.js';

export async function prepare(engine: Sitemsg, io: CliIo): Promise<ExitCode> {
  const prepared = await engine.prepareDispatches();
  line(io.stdout, `prepared dispatches for ${prepared} messages`);
  return ExitCode.ok;
}
