import type { InboxMessage } from '@sitemsg/inbox';
import express, { type Request, type Response, type Router } from 'express';
import type { Csrf } from './csrf.js';
import { isBadInput, isNotYours } from './errors.js';
import { requireApiUser } from './guards.js';
import type { InboxLike, ResolvedRouterOptions } from './options.js';
import { userIdOf } from './user.js';

/** The inbox message as the bell's script sees it. */
export interface InboxMessageJson {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly metadata: InboxMessage['metadata'];
  readonly createdAt: string;
  readonly read: boolean;
  readonly readAt: string | null;
}

/**
 * The bell's JSON API. Every route acts on the signed-in user's own messages; another user's
 * message answers 404 exactly like a missing one, and changes nothing.
 */
export function mountInboxApi(
  router: Router,
  inbox: InboxLike,
  options: ResolvedRouterOptions,
  csrf: Csrf,
): void {
  const api = `${options.basePath}/api`;
  const json = express.json({ limit: '4kb' });
  const run =
    (handler: (req: Request, res: Response, userId: string) => Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res, userIdOf(req)!);
      } catch (error) {
        if (isNotYours(error)) {
          res.status(404).json({ error: 'not_found' });
        } else if (isBadInput(error)) {
          res.status(400).json({ error: 'bad_request', message: (error as Error).message });
        } else throw error;
      }
    };

  router.get(`${api}/csrf-token`, requireApiUser, (req, res) => {
    res.json({ token: csrf.token(req, res) });
  });

  router.get(
    `${api}/inbox`,
    requireApiUser,
    run(async (req, res, userId) => {
      const query = listQuery(req);
      if (!query)
        return res
          .status(400)
          .json({ error: 'bad_request', message: 'unreadOnly, limit or before is malformed.' });
      const page = await inbox.getInbox(userId, query);
      res.json({ messages: page.messages.map(toJson), nextCursor: page.nextCursor });
    }),
  );

  router.get(
    `${api}/inbox/unread-count`,
    requireApiUser,
    run(async (_req, res, userId) => {
      res.json({ count: await inbox.countUnread(userId) });
    }),
  );

  router.post(
    `${api}/inbox/read-all`,
    requireApiUser,
    json,
    csrf.protect,
    run(async (_req, res, userId) => {
      res.json({ count: await inbox.markAllRead(userId) });
    }),
  );

  router.get(
    `${api}/inbox/:id`,
    requireApiUser,
    run(async (req, res, userId) => {
      const message = await inbox.getMessage(String(req.params.id), userId);
      if (!message) return res.status(404).json({ error: 'not_found' });
      res.json(toJson(message));
    }),
  );

  router.post(
    `${api}/inbox/:id/read`,
    requireApiUser,
    json,
    csrf.protect,
    run(async (req, res, userId) => {
      res.json({ changed: await inbox.markRead(String(req.params.id), userId) });
    }),
  );

  router.delete(
    `${api}/inbox/:id`,
    requireApiUser,
    json,
    csrf.protect,
    run(async (req, res, userId) => {
      await inbox.delete(String(req.params.id), userId);
      res.status(204).end();
    }),
  );
}

function listQuery(req: Request): { unreadOnly: boolean; limit?: number; before?: string } | null {
  const { unreadOnly, limit, before } = req.query;
  if (![unreadOnly, limit, before].every((v) => v === undefined || typeof v === 'string')) return null;
  if (unreadOnly !== undefined && !['true', 'false', '1', '0'].includes(unreadOnly as string)) return null;
  if (limit !== undefined && !/^\d{1,4}$/.test(limit as string)) return null;
  return {
    unreadOnly: unreadOnly === 'true' || unreadOnly === '1',
    ...(limit !== undefined && { limit: Number(limit) }),
    ...(before !== undefined && before !== '' && { before: before as string }),
  };
}

function toJson(message: InboxMessage): InboxMessageJson {
  return {
    id: message.id,
    title: message.title,
    body: message.body,
    metadata: message.metadata,
    createdAt: message.createdAt.toISOString(),
    read: message.read,
    readAt: message.readAt ? message.readAt.toISOString() : null,
  };
}
