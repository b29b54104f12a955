export { DemoProvider, type RecordedRequest, startDemoProvider } from './fakes/demo-provider.js';
export { createDemoMessengerSetup } from './fakes/demo-setup.js';
export { HttpDemoMessenger, type HttpDemoMessengerOptions } from './fakes/http-demo-messenger.js';
export { type OutgoingDispatchInput, outgoingDispatch } from './fakes/outgoing-dispatch.js';
export { RecordingLogger } from './fakes/recording-logger.js';
export { RecordingMessenger, type RecordingMessengerOptions } from './fakes/recording-messenger.js';
