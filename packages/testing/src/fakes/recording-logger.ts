import type { Logger } from '@sitemsg/core/plugin';

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];

  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, ...(fields && { fields }) });
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(fields && { fields }) });
  }
}
