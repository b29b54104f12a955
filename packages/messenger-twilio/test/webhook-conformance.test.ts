import { webhookConformance } from '@sitemsg/testing/webhook';
import twilio from 'twilio';
import { createTwilioWebhookHandler } from '../src/index.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './fixtures/setup.js';

const URL = 'https://shop.example.com/sitemsg/webhooks/twilio';

webhookConformance('Twilio status callback', {
  messenger: 'twilio',
  address: '+14155552671',
  // Twilio signs the URL and the parameters, not a time: no replay window to test.
  create: (sitemsg) => createTwilioWebhookHandler({ authToken: AUTH_TOKEN, sitemsg }),
  deliveredRequest(sent) {
    // The parameters Twilio posts to a StatusCallback when a message is delivered.
    const params = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      From: '+14155550100',
      MessageSid: sent.providerMessageId,
      MessageStatus: 'delivered',
      SmsSid: sent.providerMessageId,
      SmsStatus: 'delivered',
      To: sent.address,
    };
    const body = new URLSearchParams(params).toString();
    return {
      method: 'POST',
      url: URL,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, URL, params),
      },
      rawBody: new TextEncoder().encode(body),
    };
  },
});
