import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type WebPushDeliveryErrorOptions = DeliveryErrorOptions & {
  /** The push service refused this server's VAPID credentials: nothing to it goes out until someone fixes them. */
  configuration?: boolean;
};

/**
 * A DeliveryError that also says whether the push service refused the VAPID configuration
 * (401/403): such an error is retryable — the dispatch waits for the fix, the subscription is not
 * suppressed — is logged once per batch, and turns the health check unhealthy.
 */
export class WebPushDeliveryError extends DeliveryError {
  /** True when the VAPID keys or subject, not this subscription, are at fault. */
  readonly configuration: boolean;

  constructor(message: string, options: WebPushDeliveryErrorOptions) {
    const { configuration, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
  }
}
