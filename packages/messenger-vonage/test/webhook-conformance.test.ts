import type { WebhookRequest } from '@sitemsg/core/plugin';
import { webhookConformance } from '@sitemsg/testing/webhook';
import { createVonageWebhookHandler } from '../src/index.js';
import { signedReceipt } from '../src/testing.js';
import { SIGNATURE_SECRET } from './fixtures/setup.js';

/** A delivery receipt as Vonage posts it: a signed form (`sig` among the parameters). */
function formRequest(params: Record<string, string>): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://shop.example.com/sitemsg/webhooks/vonage',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: new TextEncoder().encode(new URLSearchParams(params).toString()),
  };
}

webhookConformance('Vonage delivery receipt', {
  messenger: 'vonage',
  address: '+447911123456',
  toleranceSeconds: 300,
  create: (sitemsg, clock) =>
    createVonageWebhookHandler({ signatureSecret: SIGNATURE_SECRET, sitemsg, clock }),
  deliveredRequest(sent, clock) {
    const params = signedReceipt(
      { messageId: sent.providerMessageId, msisdn: sent.address.replace(/^\+/, ''), status: 'delivered' },
      SIGNATURE_SECRET,
      Math.floor(clock.now() / 1000),
    );
    return formRequest(params);
  },
  // Vonage signs in the parameters, not a header.
  unsign(request) {
    const params = Object.fromEntries(new URLSearchParams(Buffer.from(request.rawBody).toString('utf8')));
    delete params.sig;
    return formRequest(params);
  },
});
