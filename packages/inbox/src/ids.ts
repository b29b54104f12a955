import { randomBytes } from 'node:crypto';
import type { Clock } from '@sitemsg/core/plugin';

/**
 * UUIDv7 ids taken from the service's clock, monotonic within one process: messages created in the
 * same millisecond (always, under a ManualClock) still sort in creation order, which is what
 * "newest first" needs as a tie-breaker.
 */
export function createIdGenerator(clock: Clock): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = clock.now();
    if (ms <= lastMs) {
      counter++;
      if (counter > 0xfff) {
        // 4096 ids in one millisecond: borrow the next one rather than repeat.
        lastMs++;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = 0;
    }
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
