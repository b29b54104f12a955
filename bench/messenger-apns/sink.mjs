// A minimal APNs provider API in a child process: HTTP/2 over TLS (the test certificate of
// packages/messenger-apns), answers every POST /3/device/<token> with 200 and an apns-id (the
// request's own, as APNs echoes it), counts them, and reports its port to the parent.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';

const tls = new URL('../../packages/messenger-apns/test/fixtures/tls/', import.meta.url);
let count = 0;
const server = createSecureServer({
  key: readFileSync(new URL('key.pem', tls)),
  cert: readFileSync(new URL('cert.pem', tls)),
});
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  stream.on('data', () => {});
  stream.on('end', () => {
    count++;
    const ok =
      String(headers[':path']).startsWith('/3/device/') &&
      String(headers.authorization).startsWith('bearer ');
    stream.respond({ ':status': ok ? 200 : 403, 'apns-id': headers['apns-id'] ?? randomUUID() });
    stream.end(ok ? undefined : JSON.stringify({ reason: 'MissingProviderToken' }));
  });
});
server.on('session', (session) => session.on('error', () => {}));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'stop') {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  }
});
