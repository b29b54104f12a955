import type { Writable } from 'node:stream';
import type { SendCounts } from '@sitemsg/core';
import { Presets, SingleBar } from 'cli-progress';

/** The plain counts line, e.g. `sent 120 / error 0 / failed 1 / skipped 0`. */
export function formatCounts(counts: SendCounts): string {
  return `sent ${counts.sent} / error ${counts.error} / failed ${counts.failed} / skipped ${counts.skipped}`;
}

export function processed(counts: SendCounts): number {
  return counts.sent + counts.error + counts.failed + counts.skipped;
}

export interface Progress {
  update(counts: SendCounts): void;
  /** Stops the bar (if any) and prints the final counts line. */
  finish(counts: SendCounts): void;
}

export type OutputStream = Writable & { readonly isTTY?: boolean; readonly columns?: number };

/**
 * A progress bar on a terminal when more than one batch is expected (the total is an estimate:
 * what is pending or waiting to retry), plain lines otherwise, so logs stay readable. A terminal
 * that reports no width (a bare pseudo-terminal) gets plain lines too: the bar would be cut to nothing.
 */
export function createProgress(out: OutputStream, expected: number, batchSize: number): Progress {
  if (out.isTTY !== true || !out.columns || expected <= batchSize) return plainProgress(out);
  const bar = new SingleBar(
    {
      stream: out,
      format: 'sending {bar} {value}/{total} | {counts}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  let total = expected;
  bar.start(total, 0, { counts: formatCounts({ sent: 0, error: 0, failed: 0, skipped: 0 }) });
  return {
    update(counts) {
      const done = processed(counts);
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      bar.update(done, { counts: formatCounts(counts) });
    },
    finish(counts) {
      bar.setTotal(processed(counts));
      bar.update(processed(counts), { counts: formatCounts(counts) });
      bar.stop();
      out.write(`${formatCounts(counts)}\n`);
    },
  };
}

function plainProgress(out: OutputStream): Progress {
  return {
    update() {},
    finish(counts) {
      out.write(`${formatCounts(counts)}\n`);
    },
  };
}
