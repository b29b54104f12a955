import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type ApnsDeliveryErrorOptions = DeliveryErrorOptions & {
  /** APNs refused the credentials or the topic: nothing goes out until someone fixes it. */
  configuration?: boolean;
  /** For `410 Unregistered`: when APNs last confirmed the token was no longer valid for the topic. */
  unregisteredAt?: Date;
};

/**
 * A DeliveryError that also says whether APNs refused the configuration (403 for the provider
 * token, a topic it does not allow): such an error is retryable — the dispatches wait for the
 * fix — fails the rest of the batch without a request each, and turns the health check unhealthy.
 * `providerCode` is APNs's `reason` (`BadDeviceToken`, `Unregistered`, ...).
 */
export class ApnsDeliveryError extends DeliveryError {
  /** True when the key, key id, team id or topic, not this notification, are at fault. */
  readonly configuration: boolean;
  /**
   * For `410 Unregistered`, APNs's timestamp: a token the device registers again after this time
   * is good again (store it anew and lift its suppression).
   */
  readonly unregisteredAt: Date | undefined;

  constructor(message: string, options: ApnsDeliveryErrorOptions) {
    const { configuration, unregisteredAt, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
    this.unregisteredAt = unregisteredAt;
  }
}
