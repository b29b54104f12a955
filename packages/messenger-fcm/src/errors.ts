import { DeliveryError, type DeliveryErrorOptions } from '@sitemsg/core/plugin';

export type FcmDeliveryErrorOptions = DeliveryErrorOptions & {
  /** FCM or Google's token endpoint refused the setup: nothing goes out until someone fixes it. */
  configuration?: boolean;
};

/**
 * A DeliveryError that also says whether the configuration is at fault (the service account's
 * token refused or unobtainable, no permission on the project, APNs / Web Push credentials
 * missing in the Firebase project): such an error is retryable — the dispatches wait for the fix —
 * fails the rest of the batch without a request each, and turns the health check unhealthy.
 */
export class FcmDeliveryError extends DeliveryError {
  /** True when the credentials or the project, not this message or token, are at fault. */
  readonly configuration: boolean;

  constructor(message: string, options: FcmDeliveryErrorOptions) {
    const { configuration, ...rest } = options;
    super(message, rest);
    this.configuration = configuration ?? false;
  }
}
