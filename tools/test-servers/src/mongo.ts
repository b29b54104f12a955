export { setup } from './mongo/global-setup.js';
export {
  type MongoTestFault,
  type MongoTestServer,
  type MongoTestServerOptions,
  startMongoTestServer,
} from './mongo/server.js';

// What `setup` provides, typed for every test that calls `inject('mongoUrl')`.
declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
  }
}
