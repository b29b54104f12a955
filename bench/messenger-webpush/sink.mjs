// A minimal push service in a child process: HTTPS on 127.0.0.1 with the messenger's test
// certificate, answers every POST /push/<id> with 201 Created and a Location (RFC 8030), counts
// them, and reports its port to the parent. It does not decrypt (the tests prove the encryption):
// it is here to cost both sides the same and little.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const fixtures = new URL('../../packages/messenger-webpush/test/fixtures/', import.meta.url);
let count = 0;
const server = createServer(
  { key: readFileSync(new URL('key.pem', fixtures)), cert: readFileSync(new URL('cert.pem', fixtures)) },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      if (
        req.method !== 'POST' ||
        !req.url.startsWith('/push/') ||
        !req.headers.authorization?.startsWith('vapid t=')
      ) {
        res.writeHead(400).end();
        return;
      }
      count++;
      const location = `https://127.0.0.1:${server.address().port}/message/${randomBytes(16).toString('hex')}`;
      res.writeHead(201, { Location: location, TTL: req.headers.ttl ?? '0' }).end();
    });
  },
);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
