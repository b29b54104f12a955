import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core';

export interface SendgridDeliveryErrorOptions extends DeliveryErrorOptions {
  /** How long SendGrid asked us to wait (Retry-After, or X-RateLimit-Reset minus now), in ms. */
  retryAfterMs?: number;
  /** SendGrid refused the credentials or the account setup: nothing will go out until someone fixes it. */
  configuration?: boolean;
}

/**
 * A DeliveryError that also carries SendGrid's requested wait. Core's engine does not read
 * `retryAfterMs` yet (it applies its own back-off); it is here for observers and for that change.
 */
export class SendgridDeliveryError extends DeliveryError {
  readonly retryAfterMs: number | undefined;
  /** True for 401/403-style refusals: the API key or the sender identity needs fixing. */
  readonly configuration: boolean;

  constructor(message: string, options: SendgridDeliveryErrorOptions = {}) {
    const { retryAfterMs, configuration, ...rest } = options;
    super(message, rest);
    this.retryAfterMs = retryAfterMs;
    this.configuration = configuration ?? false;
  }
}
