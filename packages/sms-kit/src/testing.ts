/**
 * `@sitemsg/sms-kit/testing`: the base of a local SMS provider fake (a real HTTP server on
 * 127.0.0.1 that answers as the provider documents, records each request, and can drop
 * connections), for the messenger packages' own fakes and an application's tests.
 */
export {
  type ArrivedRequest,
  FakeProviderServer,
  type ProviderRequest,
  type ScriptedAnswer,
} from './testing/fake-provider-server.js';
