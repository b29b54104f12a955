import type { ManualClock } from '@sitemsg/core';
import type {
  FeedbackInput,
  FeedbackKind,
  FeedbackOutcome,
  WebhookHandler,
  WebhookRequest,
} from '@sitemsg/core/plugin';

/** The dispatch a webhook request reports on: sent by the suite's engine, as the provider saw it. */
export interface SentDispatch {
  readonly dispatchId: string;
  readonly messageId: string;
  readonly address: string;
  /** The id the provider answered when it accepted the message (the suite's messenger makes one up). */
  readonly providerMessageId: string;
}

export interface WebhookHarness {
  /** The messenger alias whose deliveries the webhook reports (the suite registers a stand-in under it). */
  readonly messenger: string;
  /** An address valid on that messenger, for the suite's one dispatch. */
  readonly address: string;
  /**
   * The handler under test. It must record into `sitemsg` (its `recordFeedback`) and judge its
   * replay window, if it has one, by `clock`.
   */
  create(
    sitemsg: { recordFeedback: WebhookRecorder },
    clock: ManualClock,
  ): WebhookHandler | Promise<WebhookHandler>;
  /**
   * A request exactly as the provider would send it at `clock`'s time, correctly signed,
   * reporting the delivery of `sent` (a status callback, an event batch).
   */
  deliveredRequest(sent: SentDispatch, clock: ManualClock): WebhookRequest | Promise<WebhookRequest>;
  /**
   * The request without its signature, as the provider's scheme carries it. Default: every header
   * whose name says signature removed; a provider that signs in the query or body (Vonage's `sig`)
   * says how to remove it.
   */
  unsign?(request: WebhookRequest): WebhookRequest;
  /** The feedback kind that request means. Default `delivered`. */
  readonly expectedKind?: FeedbackKind;
  /**
   * How many seconds a signed request stays acceptable, for a provider that signs its time
   * (SendGrid); leave it out for one that does not (Twilio signs the URL and body only).
   */
  readonly toleranceSeconds?: number;
}

/** The engine's `recordFeedback`, as a handler sees it. */
export type WebhookRecorder = (input: FeedbackInput) => Promise<FeedbackOutcome>;
