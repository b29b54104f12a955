// A minimal Vonage SMS API in a child process: answers every POST /sms/json with one accepted part,
// counts them, and reports its port to the parent.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

let count = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    count++;
    const body = JSON.stringify({
      'message-count': '1',
      messages: [
        {
          to: json.to,
          'message-id': randomBytes(8).toString('hex'),
          status: '0',
          'remaining-balance': '10.0',
          'message-price': '0.0333',
          network: '23410',
          ...(json['client-ref'] && { 'client-ref': json['client-ref'] }),
        },
      ],
    });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
