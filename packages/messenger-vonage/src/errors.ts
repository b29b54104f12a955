import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type VonageDeliveryErrorOptions = DeliveryErrorOptions & {
  /** Vonage refused the credentials or the account setup: nothing goes out until someone fixes it. */
  configuration?: boolean;
};

/**
 * A DeliveryError that also says whether Vonage refused the configuration (status 4 bad credentials, a barred
 * account, an HTTP 401): such an error is retryable — the dispatches wait for the fix — fails the rest of the
 * batch without a request each, and turns the health check unhealthy.
 */
export class VonageDeliveryError extends DeliveryError {
  /** True when the credentials or the account, not this message, are at fault. */
  readonly configuration: boolean;

  constructor(message: string, options: VonageDeliveryErrorOptions) {
    const { configuration, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
  }
}
