export * from './fakes.js';
export * from './messenger.js';
export * from './store.js';
