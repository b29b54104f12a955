export type {
  FakeProvider,
  MessengerHarness,
  MessengerSetup,
  ReceivedMessage,
} from './messenger/harness.js';
export { messengerConformance } from './messenger/suite.js';
