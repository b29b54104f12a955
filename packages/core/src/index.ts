export { type BackoffOptions, backoffDelay } from './backoff.js';
export { EmailHtmlMessage, EmailTextMessage, PlainTextMessage } from './builtin-types.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export type {
  Attachment,
  ChatPayload,
  CompiledMessage,
  PushPayload,
  RenderContext,
  SmsPayload,
  TemplateRenderer,
} from './compiled.js';
export {
  cleanupSentMessages,
  configureSitemsg,
  getDefaultSitemsg,
  getMessageTypeForApp,
  getRegisteredMessageType,
  getRegisteredMessageTypes,
  getRegisteredMessengerObject,
  getRegisteredMessengerObjects,
  getUserPreferencesForUi,
  onSitemsgEvent,
  overrideMessageTypeForApp,
  prepareDispatches,
  recipients,
  registerMessageTypes,
  registerMessengerObjects,
  scheduleMessages,
  sendScheduledMessages,
  sendTestMessage,
  setUserPreferences,
} from './default-instance.js';
export type { DriverContext, MessengerDriver, SitemsgDriver, StoreDriver } from './driver.js';
export type { LinkError, LinkOutcome, LinkSubject } from './engine/links.js';
export type { AddressInvalid, SitemsgOptions } from './engine/options.js';
export type { SendCounts } from './engine/outcomes.js';
export type {
  PreferenceCell,
  PreferenceRow,
  PreferencesOptions,
  PreferencesTable,
} from './engine/preferences.js';
export type { MessageInput, ScheduleOptions } from './engine/schedule.js';
export type { SendOptions } from './engine/send.js';
export { createSitemsg, Sitemsg } from './engine/sitemsg.js';
export type { WorkOptions } from './engine/worker.js';
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
  UnknownMessageTypeError,
  UnknownMessengerError,
  ValidationError,
} from './errors.js';
export {
  EventBus,
  type EventHandler,
  SitemsgEvent,
  type SitemsgEventMap,
  type SitemsgEventName,
} from './events.js';
export {
  ALL_MESSAGE_TYPES,
  type BounceType,
  DEFAULT_SUPPRESSING_FEEDBACK,
  type FeedbackInput,
  FeedbackKind,
  type FeedbackOutcome,
  type FeedbackRecord,
  type SuppressingFeedback,
} from './feedback.js';
export { aggregateHealth, type HealthReport, HealthState, type HealthStatus } from './health.js';
export { HealthCache } from './health-cache.js';
export { assertJsonObject, type JsonObject, type JsonValue, MAX_CONTEXT_DEPTH } from './json.js';
export { createLinkHandler, type LinkHandlerOptions, type LinkPage } from './link-handler.js';
export {
  buildLinkUrl,
  LinkAction,
  type LinkParams,
  type LinkRecipient,
  parseSignedLink,
  type SignedLink,
  signLink,
  verifyLink,
} from './links.js';
export { completeLogger, type Logger } from './logger.js';
export { MemoryStore } from './memory/memory-store.js';
export { MessageType, type MessageTypeClass } from './message-type.js';
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
export { chatPayload, pushPayload, smsPayload } from './payloads.js';
export { err, ok, type Result } from './result.js';
export { RUN_OPTION_LIMITS } from './run-option-limits.js';
export {
  type ClaimRequest,
  type CleanupRequest,
  type CleanupResult,
  type CompletionOutcome,
  type DispatchCounts,
  type NewDispatch,
  type NewMessage,
  type ScheduleRequest,
  type ScheduleResult,
  STORE_CONTRACT_VERSION,
  type Store,
  type StoreScheduleOptions,
  type SubscriptionFilter,
  type Suppression,
  scheduleManyError,
} from './store.js';
export {
  type ClaimedDispatch,
  type DispatchErrorRecord,
  type DispatchRecord,
  DispatchStatus,
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
