import { describeError, SitemsgError, StoreError } from '@sitemsg/core/plugin';

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** E11000, from insertOne (MongoServerError) or insertMany / bulkWrite (MongoBulkWriteError). */
export function isDuplicateKey(error: unknown): boolean {
  if (field(error, 'code') === 11000) return true;
  const writeErrors = field(error, 'writeErrors');
  return Array.isArray(writeErrors) && writeErrors.some((e) => field(e, 'code') === 11000);
}

/** A standalone mongod refuses transactions (code 20); the driver rewords it as a retryable-writes error. */
export function isTransactionUnsupported(error: unknown): boolean {
  if (field(error, 'code') === 20) return true;
  const message = error instanceof Error ? error.message : '';
  return /Transaction numbers are only allowed|does not support retryable writes|Transactions are not supported/i.test(
    message,
  );
}

/** Driver failures become StoreErrors that say what was being done; sitemsg's own errors pass through. */
export async function storeCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (SitemsgError.isInstance(error)) throw error;
    throw new StoreError(
      `[sitemsg] [mongo] ${what} failed: ${describeError(error)}. Check that MongoDB is reachable.`,
      { cause: error, unavailable: isConnectionFailure(error) },
    );
  }
}

/** The driver's error classes for a server that could not be reached (by name: no driver import here). */
const UNAVAILABLE_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoServerClosedError',
]);

/** True when `error` says MongoDB could not be reached rather than that it refused the write. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  const hasLabel = field(error, 'hasErrorLabel');
  return typeof hasLabel === 'function' && hasLabel.call(error, 'RetryableWriteError') === true;
}
