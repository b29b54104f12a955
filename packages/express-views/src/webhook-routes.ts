import type { WebhookResponse } from '@sitemsg/core/plugin';
import express, { type Request, type Response, type Router } from 'express';
import type { ResolvedRouterOptions } from './options.js';

/** SendGrid posts batches of up to a few thousand events; nothing a provider sends is larger. */
const BODY_LIMIT = '5mb';

/**
 * `{basePath}/webhooks/:provider`: hands each registered provider's framework-neutral handler the
 * request as the provider sent it (method, public URL, headers, raw bytes: signatures cover them)
 * and writes out the response it describes. express-views knows no provider.
 */
export function mountWebhooks(router: Router, options: ResolvedRouterOptions): void {
  const handlers = options.webhookHandlers;
  router.all(
    `${options.basePath}/webhooks/:provider`,
    (req, res, next) => {
      // Before reading the body: an unknown provider is refused without buffering megabytes.
      if (handlers.has(String(req.params.provider))) return next();
      res
        .status(404)
        .json({ error: 'not_found', message: 'No webhook handler is registered under this name.' });
    },
    express.raw({ type: () => true, limit: BODY_LIMIT }),
    async (req, res) => {
      const provider = String(req.params.provider);
      const handler = handlers.get(provider)!;
      let answer: WebhookResponse;
      try {
        answer = await handler({
          method: req.method,
          url: publicUrl(req),
          headers: req.headers,
          rawBody: Buffer.isBuffer(req.body) ? req.body : new Uint8Array(0),
        });
      } catch (error) {
        // The contract answers expected failures itself: a throw is a bug, reported and hidden.
        options.logger.error?.(
          `[sitemsg] [express-views] the ${provider} webhook handler threw: ${String(error)}`,
          {
            error,
          },
        );
        res.status(500).json({ error: 'server_error', message: 'The webhook could not be processed.' });
        return;
      }
      write(res, answer);
    },
  );
}

/**
 * The URL as the provider called it. Behind a reverse proxy, set Express's `trust proxy` so that
 * the protocol and host are the public ones (X-Forwarded-Proto / -Host), not the proxy's hop.
 */
function publicUrl(req: Request): string {
  return `${req.protocol}://${req.host}${req.originalUrl}`;
}

function write(res: Response, answer: WebhookResponse): void {
  res.status(answer.status);
  // setHeader, not set(): Express would add a charset to the Content-Type the handler chose.
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  // end(), not send(): send() would label a string body text/html, which the handler did not say.
  const body = answer.body;
  if (body === undefined) res.end();
  else res.end(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
