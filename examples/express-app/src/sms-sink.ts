/**
 * SMS without a Twilio account: a local Twilio Messages API (`FakeTwilio` from
 * `@sitemsg/messenger-twilio/testing`, a real HTTP server on 127.0.0.1) that accepts what the
 * messenger sends and hands each message to `print`. `main.ts` uses it when TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN and TWILIO_FROM are not set; the tests always do.
 */
import { FakeTwilio } from '@sitemsg/messenger-twilio/testing';
import type { TwilioConfig } from './app.js';

/** Made-up credentials the fake accepts (they are nobody's account). */
const DEMO_ACCOUNT_SID = `AC${'5e'.repeat(16)}`;
const DEMO_AUTH_TOKEN = 'demo-auth-token-not-a-secret';

/** Starts the fake; the messenger's configuration points at it. */
export async function startSmsSink(
  print: (sms: { to: string; body: string }) => void = () => {},
): Promise<{ fake: FakeTwilio; twilio: TwilioConfig }> {
  const fake = await new FakeTwilio(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN).start();
  fake.onAccepted = (message) => print({ to: message.to, body: message.body });
  return {
    fake,
    twilio: {
      accountSid: DEMO_ACCOUNT_SID,
      authToken: DEMO_AUTH_TOKEN,
      from: '+14155550100',
      baseUrl: fake.url,
    },
  };
}
