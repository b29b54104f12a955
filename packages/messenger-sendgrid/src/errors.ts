import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type SendgridDeliveryErrorOptions = DeliveryErrorOptions & {
  /** SendGrid refused the credentials or the account setup: nothing will go out until someone fixes it. */
  configuration?: boolean;
};

/**
 * A DeliveryError that also says whether SendGrid refused the configuration (401/403). The
 * requested wait (Retry-After / X-RateLimit-Reset) travels in core's `retryAfterMs`, which the
 * engine honours when it schedules the next attempt.
 */
export class SendgridDeliveryError extends DeliveryError {
  /** True for 401/403-style refusals: the API key or the sender identity needs fixing. */
  readonly configuration: boolean;

  constructor(message: string, options: SendgridDeliveryErrorOptions) {
    const { configuration, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
  }
}
