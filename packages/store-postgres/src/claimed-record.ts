import type { DispatchRecord, ReadStatus } from '@sitemsg/core/plugin';

/** A claimed dispatch as the claim's JSON carries it: ids as text, times as ISO text. */
export type ClaimedJson = [
  id: string,
  messageId: string,
  messenger: string,
  address: string,
  userId: string | null,
  readStatus: ReadStatus,
  attempts: number,
  lastError: string | null,
  nextAttemptAt: string | null,
  createdAt: string,
  dispatchedAt: string | null,
  readAt: string | null,
  /** The message type of the suppression that holds the address (its type's, else `'*'`), or null. */
  suppressedBy: string | null,
];

/**
 * A dispatch record as a claim returned it: a class, so that a batch of a hundred is a hundred
 * allocations of one shape. The claim's answer on suppression travels beside it
 * (`ClaimedDispatch.suppressed`), not inside it.
 */
export class ClaimedRecord implements DispatchRecord {
  readonly id: string;
  readonly messageId: string;
  readonly messenger: string;
  readonly address: string;
  readonly userId: string | null;
  readonly status = 'processing' as const;
  readonly readStatus: ReadStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  /** Only a sent dispatch has one, and a sent dispatch is never claimed. */
  readonly providerMessageId: null = null;
  /** Likewise: only a sent dispatch has a receipt. */
  readonly receipt: null = null;
  readonly nextAttemptAt: Date | null;
  readonly leaseOwner: string;
  readonly leaseExpiresAt: Date;
  readonly createdAt: Date;
  readonly dispatchedAt: Date | null;
  readonly readAt: Date | null;

  constructor(json: ClaimedJson, lease: { owner: string; until: Date }) {
    this.id = json[0];
    this.messageId = json[1];
    this.messenger = json[2];
    this.address = json[3];
    this.userId = json[4];
    this.readStatus = json[5];
    this.attempts = json[6];
    this.lastError = json[7];
    this.nextAttemptAt = toDate(json[8]);
    this.leaseOwner = lease.owner;
    this.leaseExpiresAt = lease.until;
    this.createdAt = new Date(json[9]);
    this.dispatchedAt = toDate(json[10]);
    this.readAt = toDate(json[11]);
  }
}

export const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));
