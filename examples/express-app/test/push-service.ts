/**
 * What the push tests need of a browser and its push service, since neither exists here (headless
 * Chromium refuses `pushManager.subscribe`, and the real push services are out of reach): a
 * subscription made like a browser makes one (P-256 key pair and auth secret from node:crypto),
 * and a push service on 127.0.0.1 (HTTPS, a test certificate) at its endpoint that answers
 * 201 Created and keeps what arrived, which the test decrypts with the subscription's private key
 * (http_ece, RFC 8291), as the browser would.
 */
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';

const cert = readFileSync(new URL('./fixtures/cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/key.pem', import.meta.url));

/** A subscription, with the private half the browser keeps. */
export interface BrowserSubscription {
  /** What `PushSubscription.toJSON()` gives. */
  readonly json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  readonly ecdh: ECDH;
}

export interface ArrivedPush {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class LocalPushService {
  readonly arrived: ArrivedPush[] = [];
  /** Trusts the test certificate: the messenger's `agent`. */
  readonly agent: Agent = new Agent({ ca: cert, keepAlive: true });
  private readonly server: Server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.arrived.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201, { Location: `${this.origin}/message/${randomBytes(8).toString('hex')}` }).end();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new browser subscription whose endpoint is this push service. */
  subscribe(): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const json = {
      endpoint: `${this.origin}/push/${randomBytes(12).toString('base64url')}`,
      expirationTime: null,
      keys: {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
    };
    return { json, ecdh };
  }

  /** What the browser would hand its service worker: the body decrypted with the subscription's keys. */
  decrypt(push: ArrivedPush, subscription: BrowserSubscription): string {
    return decrypt(push.body, {
      version: 'aes128gcm',
      privateKey: subscription.ecdh,
      authSecret: subscription.json.keys.auth,
    }).toString('utf8');
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
