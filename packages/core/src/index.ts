/**
 * `@sitemsg/core`: what applications use — the engine and its function-style toolbox, message
 * types, the memory store, errors to catch, events, links, webhook and health types. Plugin
 * authors (messengers, stores, webhooks, drivers) import from `@sitemsg/core/plugin` instead; the
 * README's "Entry points" section lists both. Types that app-facing signatures return or take
 * (`Messenger`, `Store`, `SentReceipt`, `ScheduleResult`, `CleanupResult`) are exported here as
 * types only, so an application can name them; their classes and helpers live in the plugin entry.
 */
export type { BackoffOptions } from './backoff.js';
export { EmailHtmlMessage, EmailTextMessage, PlainTextMessage } from './builtin-types.js';
export { type Clock, ManualClock } from './clock.js';
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
export type { LinkError, LinkOutcome, LinkSubject } from './engine/link-actions.js';
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
  MessengerError,
  MessengerWarmupError,
  SignatureError,
  SitemsgError,
  StoreError,
  UnknownMessageTypeError,
  UnknownMessengerError,
  ValidationError,
} from './errors.js';
export { type EventHandler, SitemsgEvent, type SitemsgEventMap, type SitemsgEventName } from './events.js';
export {
  type BounceType,
  DEFAULT_SUPPRESSING_FEEDBACK,
  type FeedbackInput,
  FeedbackKind,
  type FeedbackOutcome,
  type SuppressingFeedback,
} from './feedback.js';
export { type HealthReport, HealthState, type HealthStatus } from './health.js';
export { type JsonObject, type JsonValue, MAX_CONTEXT_DEPTH } from './json.js';
export { createLinkHandler, type LinkHandlerOptions, type LinkPage } from './link-handler.js';
export type { Logger } from './logger.js';
export { MemoryStore } from './memory/memory-store.js';
export { MessageType, type MessageTypeClass } from './message-type.js';
export type { Messenger, SentReceipt } from './messenger.js';
export type { Result } from './result.js';
export { RUN_OPTION_LIMITS } from './run-option-limits.js';
export { LinkAction, parseSignedLink, type SignedLink } from './signed-links.js';
export type { CleanupResult, ScheduleResult, Store } from './store.js';
export {
  type DispatchRecord,
  DispatchStatus,
  type MessageRecord,
  ReadStatus,
  type Recipient,
  type SitemsgUser,
  type Subscription,
} from './types.js';
export type { WebhookHandler, WebhookHeaders, WebhookRequest, WebhookResponse } from './webhook.js';
