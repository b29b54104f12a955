// An SMTP sink in its own process: accepts every message and discards it. Started by run.mjs
// with fork(); reports its port, and answers { count } with how many messages it accepted.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/messenger-smtp/package.json', import.meta.url));
const { SMTPServer } = require('smtp-server');

let accepted = 0;
const server = new SMTPServer({
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      accepted++;
      callback();
    });
    stream.resume();
  },
});
server.on('error', (error) => console.error('sink:', error.message));

server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.server.address().port });
});

process.on('message', (message) => {
  if (message === 'count') process.send({ count: accepted });
  if (message === 'stop') server.close(() => process.exit(0));
});
