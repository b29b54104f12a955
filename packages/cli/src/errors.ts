import { ConfigurationError, describeError, SitemsgError, ValidationError } from '@sitemsg/core/plugin';

/** What the process exits with: scripts and cron jobs tell a wrong command line from a failed run. */
export const ExitCode = { ok: 0, error: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const USAGE = 'CLI_USAGE';

/** A wrong command line (unknown flag, missing value): exit 2 with the usage. */
export function usageError(message: string): ValidationError {
  return new ValidationError(message, { code: USAGE });
}

export function isUsageError(error: unknown): boolean {
  return SitemsgError.isInstance(error) && error.code === USAGE;
}

/** A configuration problem, worded `[sitemsg] config: where: what to do`. */
export function configError(message: string, cause?: unknown): ConfigurationError {
  return new ConfigurationError(`config: ${message}`, cause === undefined ? undefined : { cause });
}

/** An error's message without core's `[sitemsg] ` prefix, to nest it in another message. */
export function bareMessage(error: unknown): string {
  const text = SitemsgError.isInstance(error) ? error.message : describeError(error);
  return text.replace(/^\[sitemsg\] /, '');
}

/** The one line printed for an error: typed errors read as they are, anything else gets the prefix. */
export function errorLine(error: unknown): string {
  return SitemsgError.isInstance(error) ? error.message : `[sitemsg] ${describeError(error)}`;
}
