/**
 * `@sitemsg/messenger-vonage/testing`: a local Vonage SMS API (`FakeVonage`, a real HTTP server on
 * 127.0.0.1: point `VonageMessenger`'s `restHost` at its `url`, read what went over the wire from
 * `accepted` and `requests`), and Vonage's webhook signing (`vonageSig`, signed delivery receipts
 * and inbound messages) to test a mounted webhook handler.
 */
export { type AcceptedSms, FakeVonage, type RecordedRequest, type Refusal } from './testing/fake-vonage.js';
export { signedInbound, signedReceipt, vonageSig } from './testing/signing.js';
