/**
 * `@sitemsg/core/plugin`: what a messenger, store, webhook or driver author needs — the
 * `Messenger` base class and `Store` contract with their request and record types and contract
 * versions, `DeliveryError` and the shared retry classification, `Result`, back-off, the feedback
 * model, driver and webhook types, payload helpers, the error classes plugins throw, the clock and
 * health types. Applications import from `@sitemsg/core`; the README's "Entry points" section
 * lists both. Both entries share one build, so a class is the same class through either.
 */
export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type Clock, systemClock } from './clock.js';
export type { Attachment, ChatPayload, CompiledMessage, PushPayload, SmsPayload } from './compiled.js';
export type { DriverContext, MessengerDriver, SitemsgDriver, StoreDriver } from './driver.js';
export {
  ConfigurationError,
  DeliveryError,
  type DeliveryErrorDetails,
  type DeliveryErrorOptions,
  type DeliveryFeedback,
  describeError,
  isRetryableStatus,
  MessengerError,
  MessengerWarmupError,
  SignatureError,
  SitemsgError,
  StoreError,
  type StoreErrorOptions,
  ValidationError,
} from './errors.js';
export type { EventHandler, SitemsgEventMap, SitemsgEventName } from './events.js';
export {
  ALL_MESSAGE_TYPES,
  ALL_MESSENGERS,
  type BounceType,
  type FeedbackInput,
  FeedbackKind,
  type FeedbackOutcome,
  type FeedbackRecord,
} from './feedback.js';
export { aggregateHealth, type HealthReport, HealthState, type HealthStatus } from './health.js';
export { HealthCache } from './health-cache.js';
export { assertJsonObject, type JsonObject, type JsonValue } from './json.js';
export type { Logger } from './logger.js';
export {
  type DispatchResult,
  MESSENGER_CONTRACT_VERSION,
  Messenger,
  type MessengerClass,
  type MessengerEngineContext,
  type MessengerOptions,
  type OutgoingDispatch,
  type SentReceipt,
} from './messenger.js';
export { checkOptionNames, type OptionNameRules } from './option-names.js';
export { chatPayload, pushPayload, smsPayload } from './payloads.js';
export { err, ok, type Result } from './result.js';
export { type EachFailure, type SendEachOptions, sendEach } from './send-each.js';
export {
  type ClaimRequest,
  type CleanupRequest,
  type CleanupResult,
  type CompletionOutcome,
  type DispatchCounts,
  type MessengerMedia,
  type NewDispatch,
  type NewMessage,
  type ScheduleRequest,
  type ScheduleResult,
  STORE_CONTRACT_VERSION,
  type Store,
  type StoreScheduleOptions,
  type SubscriptionFilter,
  type Suppression,
  type SuppressionFilter,
  scheduleManyError,
} from './store.js';
export {
  type ClaimedDispatch,
  type DispatchErrorRecord,
  type DispatchReceipt,
  type DispatchRecord,
  DispatchStatus,
  MAX_RECEIPT_BYTES,
  type MessageRecord,
  ReadStatus,
  type Recipient,
  type SitemsgUser,
  type Subscription,
} from './types.js';
export {
  type WebhookHandler,
  type WebhookHeaders,
  type WebhookRequest,
  type WebhookResponse,
  webhookHeader,
} from './webhook.js';
