import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type SmsDeliveryErrorOptions = DeliveryErrorOptions & {
  /** The provider refused the credentials or the account setup: nothing goes out until someone fixes it. */
  configuration?: boolean;
};

/**
 * A DeliveryError that also says whether the provider refused the configuration (credentials, a
 * suspended account, a wrong API origin): such an error is retryable — the dispatches wait for the
 * fix — fails the rest of the batch without a request each, and turns the health check unhealthy.
 */
export class SmsDeliveryError extends DeliveryError {
  /** True when the credentials or the account, not this message, are at fault. */
  readonly configuration: boolean;

  constructor(message: string, options: SmsDeliveryErrorOptions) {
    const { configuration, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
  }
}
