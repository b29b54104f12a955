// Delivery feedback, normalised across channels: every provider answer or callback that says
// something about a delivery (an SMTP bounce, FCM's UNREGISTERED, an SMS STOP, a WhatsApp read
// receipt) maps to one of these kinds, so core records it, suppresses what must not be sent to
// again and tells the application, the same way for every channel.

/** What a provider said about a delivery or an address. */
export const FeedbackKind = {
  /** The provider handed it to the recipient (a delivery receipt). */
  delivered: 'delivered',
  /** It came back: `hard` (the address does not exist) or `soft` (a full mailbox, a phone off). */
  bounced: 'bounced',
  /** The recipient marked it as spam. */
  complained: 'complained',
  /** The recipient asked for no more messages on this channel (an SMS STOP, a blocked bot). */
  optedOut: 'opted-out',
  /** The recipient asked for messages again (an SMS START): lifts an opt-out. */
  optedIn: 'opted-in',
  /** The address is dead: an unregistered device token, a number that does not exist. */
  addressInvalid: 'address-invalid',
  /** The recipient read it (where the provider reports it). */
  read: 'read',
} as const;
export type FeedbackKind = (typeof FeedbackKind)[keyof typeof FeedbackKind];

/** `hard` bounces suppress by default; `soft` ones are only recorded. */
export type BounceType = 'hard' | 'soft';

/**
 * Feedback as a messenger or webhook reports it. Name the dispatch by `dispatchId`, or by the
 * provider's message id (kept when it was sent), or — for feedback about an address with no
 * dispatch behind it (an inbound STOP) — by `address`.
 */
export interface FeedbackInput {
  readonly kind: FeedbackKind;
  /** The messenger alias the feedback is about (`twilio`, `sendgrid`). */
  readonly messenger: string;
  readonly dispatchId?: string;
  readonly providerMessageId?: string;
  readonly address?: string;
  /** For `bounced`. Default `hard`. */
  readonly bounce?: BounceType;
  /** The provider's own code (`21610`, `UNREGISTERED`, `550 5.1.1`). */
  readonly providerCode?: string;
  /** The provider's words, kept short. */
  readonly detail?: string;
  /** The provider's event id: the same event recorded twice is recorded once. */
  readonly eventId?: string;
  /** When the provider says it happened. Default: now. */
  readonly at?: Date;
}

/** Feedback as a store keeps it on a dispatch. */
export interface FeedbackRecord {
  readonly dispatchId: string;
  readonly kind: FeedbackKind;
  readonly bounce: BounceType | null;
  readonly providerCode: string | null;
  readonly detail: string | null;
  readonly eventId: string | null;
  readonly at: Date;
}

/** What `recordFeedback` did. */
export interface FeedbackOutcome {
  /** False when this event was already recorded (same `eventId` on the same dispatch): nothing was done again. */
  readonly recorded: boolean;
  /** The dispatch it was recorded on, or null for feedback about an address alone. */
  readonly dispatchId: string | null;
  readonly address: string;
  /** Whether the address was suppressed by this feedback (on the messenger, or on every messenger of its medium). */
  readonly suppressed: boolean;
}

/**
 * The kinds of feedback that suppress an address by default: for all message types, on that
 * messenger — or on every messenger of its medium when it declares one (`Messenger.medium`).
 */
export const DEFAULT_SUPPRESSING_FEEDBACK: readonly SuppressingFeedback[] = [
  'bounced:hard',
  'complained',
  'opted-out',
  'address-invalid',
];

/** A suppression policy entry: a kind, with the bounce type for bounces. */
export type SuppressingFeedback =
  | 'bounced:hard'
  | 'bounced:soft'
  | 'complained'
  | 'opted-out'
  | 'address-invalid';

/**
 * The messenger of a medium-wide suppression: every messenger of its `medium` (an SMS STOP
 * received through Twilio holds on Vonage too, and on an SMS messenger registered later).
 */
export const ALL_MESSENGERS = '*';

/**
 * The message type a feedback suppression applies to: every type. An opt-out or a dead address is
 * about the address on that messenger, not about one kind of message.
 */
export const ALL_MESSAGE_TYPES = '*';
