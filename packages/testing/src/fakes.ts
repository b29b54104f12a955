export { DemoProvider, type RecordedRequest, startDemoProvider } from './fakes/demo-provider.js';
export { createDemoMessengerSetup } from './fakes/demo-setup.js';
export { HttpDemoMessenger, type HttpDemoMessengerOptions } from './fakes/http-demo-messenger.js';
export { RecordingMessenger, type RecordingMessengerOptions } from './fakes/recording-messenger.js';
