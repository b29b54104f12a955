import { SitemsgError } from '@sitemsg/core/plugin';

/** The error code of a sitemsg error (which may come from another installed copy of core), else null. */
export function codeOf(error: unknown): string | null {
  return SitemsgError.isInstance(error) ? error.code : null;
}

/** Codes of errors caused by the caller's input (core's ValidationError family and the inbox's). */
const BAD_INPUT = new Set(['VALIDATION_ERROR', 'BAD_ADDRESS', 'UNKNOWN_MESSENGER', 'UNKNOWN_MESSAGE_TYPE']);

export function isBadInput(error: unknown): boolean {
  const code = codeOf(error);
  return code !== null && BAD_INPUT.has(code);
}

/** Another user's message and a missing one look the same from outside: no existence oracle. */
export function isNotYours(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'INBOX_ACCESS_DENIED' || code === 'INBOX_NOT_FOUND';
}

/** An error thrown by csrf-csrf for a missing or wrong token. */
export function isCsrfError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBADCSRFTOKEN'
  );
}

/** The application wired sitemsg wrongly (e.g. a getUser without ids): a 500, and a line in the log. */
export function isConfigurationError(error: unknown): boolean {
  return codeOf(error) === 'CONFIGURATION_ERROR';
}

/**
 * A body-parser error (bad JSON, too large) carries the status to answer; a URIError is Express
 * failing to decode a route parameter (`%E0%A4%A`): the client's mistake, a 400.
 */
export function clientErrorStatus(error: unknown): number | null {
  if (error instanceof URIError) return 400;
  if (typeof error !== 'object' || error === null) return null;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : null;
}
