import {
  DeliveryError,
  type DispatchResult,
  err,
  Messenger,
  type OutgoingDispatch,
  ok,
} from '@sitemsg/core/plugin';

/** Records what it sends; addresses told to fail get a retryable refusal. */
export class ListMessenger extends Messenger {
  static override alias = 'test';
  readonly sent: OutgoingDispatch[] = [];
  readonly failing: Set<string> = new Set();

  async send(batch: readonly OutgoingDispatch[]): Promise<DispatchResult[]> {
    return batch.map((item) => {
      if (this.failing.has(item.dispatch.address)) {
        return {
          dispatchId: item.dispatch.id,
          result: err(new DeliveryError('421 try later', { retryable: true })),
        };
      }
      this.sent.push(item);
      return { dispatchId: item.dispatch.id, result: ok({}) };
    });
  }
}
