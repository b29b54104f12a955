// A minimal FCM in a child process, over TLS with the messenger-fcm test certificate (names
// fcm.googleapis.com and oauth2.googleapis.com): answers Google's token endpoint with an access
// token and every `POST /v1/projects/{id}/messages:send` with a message name, counts the sends,
// and reports its port to the parent.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const fixtures = new URL('../../packages/messenger-fcm/test/fixtures/', import.meta.url);
const tls = {
  key: readFileSync(new URL('tls-key.pem', fixtures)),
  cert: readFileSync(new URL('tls-cert.pem', fixtures)),
};
let count = 0;
const server = createServer(tls, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/token') {
      const body = JSON.stringify({
        access_token: `ya29.bench-${randomBytes(8).toString('hex')}`,
        expires_in: 3599,
        token_type: 'Bearer',
      });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      return;
    }
    const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof message?.token !== 'string' || !req.headers.authorization?.startsWith('Bearer ')) {
      res
        .writeHead(400, { 'Content-Type': 'application/json' })
        .end('{"error":{"code":400,"status":"INVALID_ARGUMENT"}}');
      return;
    }
    count++;
    const project = req.url.split('/')[3];
    const body = JSON.stringify({
      name: `projects/${project}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`,
    });
    res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
