import express, { type Router } from 'express';
import { codeOf } from './errors.js';
import type { ResolvedRouterOptions, WebhookHandler } from './options.js';

/**
 * `POST {basePath}/webhooks/sendgrid`: hands the raw body (the signature covers those exact bytes)
 * and the headers to the framework-neutral handler; a refused signature answers 403, a malformed
 * body 400.
 */
export function mountSendgridEvents(
  router: Router,
  handler: WebhookHandler,
  options: ResolvedRouterOptions,
): void {
  router.post(
    `${options.basePath}/webhooks/sendgrid`,
    express.raw({ type: () => true, limit: '5mb' }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await handler(body, req.headers);
      if (result.ok) return res.status(200).json({ ok: true, result: result.value });
      const status = codeOf(result.error) === 'SIGNATURE_ERROR' ? 403 : 400;
      res.status(status).json({ ok: false, error: result.error.message });
    },
  );
}
