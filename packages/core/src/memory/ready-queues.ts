/**
 * Claimable dispatch ids, one FIFO per priority, ordered by sequence number. Entries are removed
 * lazily: a claim skips ids whose dispatch is no longer queued, so removal anywhere is O(1).
 */
export class ReadyQueues {
  private readonly queues = new Map<number, { seqs: number[]; head: number }>();
  private priorities: number[] = [];

  /** Appends (the common case: a new dispatch has the highest sequence) or inserts in order. */
  add(priority: number, seq: number): void {
    let queue = this.queues.get(priority);
    if (!queue) {
      queue = { seqs: [], head: 0 };
      this.queues.set(priority, queue);
      this.priorities = [...this.queues.keys()].sort((a, b) => b - a);
    }
    const { seqs } = queue;
    if (seqs.length === queue.head || seqs[seqs.length - 1]! < seq) {
      seqs.push(seq);
      return;
    }
    let lo = queue.head;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    seqs.splice(lo, 0, seq);
  }

  /**
   * Visits queued sequence numbers, highest priority first, oldest first. `visit` returns
   * `take` (claimed: drop it), `skip` (keep it queued) or `stale` (no longer queued: drop it);
   * iteration stops once `wanted` have been taken.
   */
  take(
    wanted: number,
    priority: number | undefined,
    visit: (seq: number) => 'take' | 'skip' | 'stale',
  ): void {
    let taken = 0;
    const priorities = priority === undefined ? this.priorities : [priority];
    for (const p of priorities) {
      const queue = this.queues.get(p);
      if (!queue) continue;
      const { seqs } = queue;
      let keepFrom = -1;
      for (let i = queue.head; i < seqs.length && taken < wanted; i++) {
        const verdict = visit(seqs[i]!);
        if (verdict === 'skip') {
          if (keepFrom === -1) keepFrom = i;
          continue;
        }
        if (verdict === 'take') taken++;
        if (keepFrom === -1) queue.head = i + 1;
      }
      this.compact(queue);
      if (taken >= wanted) return;
    }
  }

  private compact(queue: { seqs: number[]; head: number }): void {
    if (queue.head > 1024 && queue.head * 2 > queue.seqs.length) {
      queue.seqs = queue.seqs.slice(queue.head);
      queue.head = 0;
    }
  }
}
