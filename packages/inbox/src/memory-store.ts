import type { HealthStatus } from '@sitemsg/core/plugin';
import { checkOptionKeys } from './option-keys.js';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxPosition,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from './types.js';

interface Row {
  readonly message: NewInboxMessage;
  readAt: Date | null;
}

/** Newest-first order: createdAt, then id (ids are time-ordered UUIDv7, compared as plain strings). */
function isBefore(row: InboxPosition, position: InboxPosition): boolean {
  const a = row.createdAt.getTime();
  const b = position.createdAt.getTime();
  return a < b || (a === b && row.id < position.id);
}

/**
 * The in-process inbox store: the default, for tests and single-process apps. Keeps each user's
 * messages sorted, so a page is a walk from the newest end. Everything is lost on restart.
 */
export class MemoryInboxStore implements InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION = INBOX_STORE_CONTRACT_VERSION;
  readonly name: string = 'memory';
  private readonly byId = new Map<string, Row>();
  /** Per user, oldest first. */
  private readonly byUser = new Map<string, Row[]>();
  private readonly byKey = new Map<string, Row>();

  /** Takes no options: an object passed here was meant for another inbox object, and the error says which. */
  constructor(options?: Record<string, never>) {
    if (options !== undefined) checkOptionKeys('MemoryInboxStore', options, []);
  }

  healthCheck(): Promise<HealthStatus> {
    return Promise.resolve({ status: 'healthy', detail: `${this.byId.size} messages in memory` });
  }

  async insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }> {
    const key = message.idempotencyKey === null ? null : `${message.userId}\u0000${message.idempotencyKey}`;
    const existing = key === null ? undefined : this.byKey.get(key);
    if (existing) return { message: toMessage(existing), created: false };
    const row: Row = { message: structuredClone(message), readAt: null };
    this.byId.set(message.id, row);
    if (key !== null) this.byKey.set(key, row);
    const rows = this.byUser.get(message.userId) ?? [];
    let at = rows.length;
    while (at > 0 && isBefore(row.message, rows[at - 1]!.message)) at--;
    rows.splice(at, 0, row);
    this.byUser.set(message.userId, rows);
    return { message: toMessage(row), created: true };
  }

  async get(id: string): Promise<InboxMessage | null> {
    const row = this.byId.get(id);
    return row ? toMessage(row) : null;
  }

  async list(query: InboxListQuery): Promise<InboxMessage[]> {
    const rows = this.byUser.get(query.userId) ?? [];
    const page: InboxMessage[] = [];
    for (let i = rows.length - 1; i >= 0 && page.length < query.limit; i--) {
      const row = rows[i]!;
      if (query.before && !isBefore(row.message, query.before)) continue;
      if (query.unreadOnly && row.readAt !== null) continue;
      page.push(toMessage(row));
    }
    return page;
  }

  async markRead(id: string, userId: string, now: Date): Promise<OwnedOutcome> {
    const row = this.byId.get(id);
    if (!row) return 'not-found';
    if (row.message.userId !== userId) return 'forbidden';
    if (row.readAt !== null) return 'unchanged';
    row.readAt = new Date(now);
    return 'changed';
  }

  async markAllRead(userId: string, now: Date): Promise<string[]> {
    const changed: string[] = [];
    for (const row of this.byUser.get(userId) ?? []) {
      if (row.readAt !== null) continue;
      row.readAt = new Date(now);
      changed.push(row.message.id);
    }
    return changed;
  }

  async delete(id: string, userId: string): Promise<OwnedOutcome> {
    const row = this.byId.get(id);
    if (!row) return 'not-found';
    if (row.message.userId !== userId) return 'forbidden';
    this.remove([row]);
    return 'changed';
  }

  async countUnread(userId: string): Promise<number> {
    return (this.byUser.get(userId) ?? []).filter((row) => row.readAt === null).length;
  }

  async clearAll(userId: string): Promise<number> {
    const rows = this.byUser.get(userId) ?? [];
    this.remove(rows);
    return rows.length;
  }

  async deleteOlderThan(before: Date): Promise<number> {
    const old = [...this.byId.values()].filter((row) => row.message.createdAt < before);
    this.remove(old);
    return old.length;
  }

  private remove(rows: readonly Row[]): void {
    const gone = new Set(rows);
    const users = new Set<string>();
    for (const row of gone) {
      this.byId.delete(row.message.id);
      users.add(row.message.userId);
      if (row.message.idempotencyKey !== null) {
        this.byKey.delete(`${row.message.userId}\u0000${row.message.idempotencyKey}`);
      }
    }
    for (const user of users) {
      const left = (this.byUser.get(user) ?? []).filter((row) => !gone.has(row));
      if (left.length === 0) this.byUser.delete(user);
      else this.byUser.set(user, left);
    }
  }
}

function toMessage(row: Row): InboxMessage {
  const { id, userId, title, body, metadata, createdAt } = row.message;
  return {
    id,
    userId,
    title,
    body,
    metadata: structuredClone(metadata),
    createdAt: new Date(createdAt),
    read: row.readAt !== null,
    readAt: row.readAt === null ? null : new Date(row.readAt),
  };
}
