import type { OutputStream } from './output.js';

/** What a run reads and writes: the process's by default, replaceable to run the CLI in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

export function line(stream: OutputStream, text: string): void {
  stream.write(`${text}\n`);
}
