// A minimal Twilio Messages API in a child process: answers every POST to .../Messages.json with a
// 201 Message resource, counts them, and reports its port to the parent.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

let count = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    count++;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const body = JSON.stringify({
      sid,
      status: 'queued',
      to: form.get('To'),
      from: form.get('From'),
      body: form.get('Body'),
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
    });
    res.writeHead(201, { 'Content-Type': 'application/json' }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
