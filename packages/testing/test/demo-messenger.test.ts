import { createDemoMessengerSetup } from '../src/fakes.js';
import { messengerConformance } from '../src/messenger.js';

messengerConformance('HttpDemoMessenger', { setup: createDemoMessengerSetup });
