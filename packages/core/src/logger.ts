/** Where sitemsg reports what it does. Every method is optional; the default logs nothing. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

const silent = (): void => {};

/** A logger whose every method exists (missing ones are silent). */
export function completeLogger(logger: Logger = {}): Required<Logger> {
  return {
    debug: logger.debug?.bind(logger) ?? silent,
    info: logger.info?.bind(logger) ?? silent,
    warn: logger.warn?.bind(logger) ?? silent,
    error: logger.error?.bind(logger) ?? silent,
  };
}
