import { ConfigurationError } from '@sitemsg/core/plugin';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Schema and table names are spliced into SQL (they cannot be bind parameters), so they must be
 * plain identifiers. They are also quoted, which keeps their case.
 */
export function checkIdentifier(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || value.length > maxLength) {
    throw new ConfigurationError(
      `[sitemsg] [inbox] ${what} must be a SQL identifier (letters, digits, _; not starting with a digit; at most ${maxLength} characters), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export function quote(identifier: string): string {
  return `"${identifier}"`;
}
