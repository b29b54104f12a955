import { webhookConformance } from '@sitemsg/testing/webhook';
import { createSendgridWebhookHandler } from '../src/index.js';
import { signedHeaders, signingKeys } from './fixtures/webhook-server.js';

const keys = signingKeys();

webhookConformance('SendGrid event webhook', {
  messenger: 'sendgrid',
  address: 'ada@example.org',
  toleranceSeconds: 300,
  create: (sitemsg, clock) =>
    createSendgridWebhookHandler({ publicKey: keys.publicKeyBase64, sitemsg, clock }),
  deliveredRequest(sent, clock) {
    const seconds = Math.floor(clock.now() / 1000);
    // What SendGrid posts: the messenger's custom_args merged into each event.
    const body = JSON.stringify([
      {
        email: sent.address,
        timestamp: seconds,
        event: 'delivered',
        response: '250 OK',
        sg_event_id: `ev-${sent.dispatchId}`,
        sg_message_id: `${sent.providerMessageId}.filter0001`,
        dispatch_id: sent.dispatchId,
        message_id: sent.messageId,
      },
    ]);
    const headers = Object.fromEntries(
      Object.entries(signedHeaders(keys.privateKey, body, String(seconds))).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    return {
      method: 'POST',
      url: 'https://shop.example.com/sitemsg/webhooks/sendgrid',
      headers,
      rawBody: new TextEncoder().encode(body),
    };
  },
});
