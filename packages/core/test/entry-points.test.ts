import { describe, expect, it } from 'vitest';
import * as app from '../src/index.js';
import * as plugin from '../src/plugin.js';

/**
 * The runtime half of the two entry points (README, "Entry points"): a name added to or dropped from
 * either is a decision, made here and in the README together. Types are checked by `tsc`.
 */
describe('entry points', () => {
  it('@sitemsg/core exports what applications use', () => {
    expect(Object.keys(app).sort()).toEqual([
      'ConfigurationError',
      'DEFAULT_SUPPRESSING_FEEDBACK',
      'DeliveryError',
      'DispatchStatus',
      'EmailHtmlMessage',
      'EmailTextMessage',
      'FeedbackKind',
      'HealthState',
      'LinkAction',
      'MAX_CONTEXT_DEPTH',
      'ManualClock',
      'MemoryStore',
      'MessageType',
      'MessengerError',
      'MessengerWarmupError',
      'PlainTextMessage',
      'RUN_OPTION_LIMITS',
      'ReadStatus',
      'SignatureError',
      'Sitemsg',
      'SitemsgError',
      'SitemsgEvent',
      'StoreError',
      'UnknownMessageTypeError',
      'UnknownMessengerError',
      'ValidationError',
      'cleanupSentMessages',
      'configureSitemsg',
      'createLinkHandler',
      'createSitemsg',
      'getDefaultSitemsg',
      'getMessageTypeForApp',
      'getRegisteredMessageType',
      'getRegisteredMessageTypes',
      'getRegisteredMessengerObject',
      'getRegisteredMessengerObjects',
      'getUserPreferencesForUi',
      'onSitemsgEvent',
      'overrideMessageTypeForApp',
      'parseSignedLink',
      'prepareDispatches',
      'recipients',
      'registerMessageTypes',
      'registerMessengerObjects',
      'scheduleMessages',
      'sendScheduledMessages',
      'sendTestMessage',
      'setUserPreferences',
    ]);
  });

  it('@sitemsg/core/plugin exports what messenger, store, webhook and driver authors use', () => {
    expect(Object.keys(plugin).sort()).toEqual([
      'ALL_MESSAGE_TYPES',
      'ALL_MESSENGERS',
      'ConfigurationError',
      'DeliveryError',
      'DispatchStatus',
      'FeedbackKind',
      'HealthCache',
      'HealthState',
      'MAX_RECEIPT_BYTES',
      'MESSENGER_CONTRACT_VERSION',
      'Messenger',
      'MessengerError',
      'MessengerWarmupError',
      'ReadStatus',
      'STORE_CONTRACT_VERSION',
      'SignatureError',
      'SitemsgError',
      'StoreError',
      'ValidationError',
      'aggregateHealth',
      'assertJsonObject',
      'backoffDelay',
      'chatPayload',
      'checkOptionNames',
      'describeError',
      'err',
      'isRetryableStatus',
      'ok',
      'pushPayload',
      'scheduleManyError',
      'sendEach',
      'smsPayload',
      'systemClock',
      'webhookHeader',
    ]);
  });

  it('neither exposes the internals no package needs', () => {
    for (const name of ['EventBus', 'completeLogger', 'signLink', 'verifyLink', 'buildLinkUrl']) {
      expect(app).not.toHaveProperty(name);
      expect(plugin).not.toHaveProperty(name);
    }
  });
});
