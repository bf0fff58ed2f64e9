import express, { type Request, type Response, type Router } from 'express';
import type { App } from '../../app';
import type { RequestInfo } from '../../context';
import { nonceCookie, OAuthFlow, type FlowAnswer } from './oauth-flow';
import { QuestProvider } from './quest.enums';

/** GitHub caps webhook payloads at 25 MB. */
const MAX_WEBHOOK_BYTES = '25mb';

/**
 * The HTTP routes of the quest module, mounted on the server's express app:
 * `GET /oauth/<provider>/start`, `GET /oauth/<provider>/callback`, `POST /webhooks/github/<id>`.
 */
export function questRoutes(app: App): Router {
  const router = express.Router();
  const flow = new OAuthFlow(app);
  const guard = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (error) {
      app.logger.error({ err: error, path: req.path }, 'quest route failed');
      if (!res.headersSent) res.status(500).type('text/plain').send('Internal server error');
    }
  };

  router.get(
    '/oauth/:provider/start',
    guard(async (req, res) => {
      const provider = providerOf(req.params.provider);
      if (!provider) return void res.status(404).type('text/plain').send('Unknown provider');
      send(res, await flow.start(provider, req.query.state, info(req, app).baseUrl), req.secure);
    }),
  );

  router.get(
    '/oauth/:provider/callback',
    guard(async (req, res) => {
      const provider = providerOf(req.params.provider);
      if (!provider) return void res.status(404).type('text/plain').send('Unknown provider');
      const nonce = readCookie(req.headers.cookie, nonceCookie(provider));
      const query = req.query as Record<string, unknown>;
      send(res, await flow.callback(provider, query, nonce, info(req, app)), req.secure);
    }),
  );

  router.post(
    '/webhooks/github/:integrationId',
    express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }),
    guard(async (req, res) => {
      const body: unknown = req.body;
      const answer = await app.quest.webhooks.receive({
        integrationId: String(req.params.integrationId),
        headers: req.headers,
        body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        request: info(req, app),
      });
      res.status(answer.status).json(answer.body);
    }),
  );
  return router;
}

function providerOf(segment: unknown): QuestProvider | null {
  const upper = typeof segment === 'string' ? segment.toUpperCase() : '';
  return upper === QuestProvider.GITHUB || upper === QuestProvider.FITBIT ? upper : null;
}

function info(req: Request, app: App): RequestInfo {
  const userAgent = req.headers['user-agent'];
  return {
    ip: req.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null,
    baseUrl: app.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
  };
}

function send(res: Response, answer: FlowAnswer, secure: boolean): void {
  res.set('cache-control', 'no-store');
  if (answer.cookie) {
    res.cookie(answer.cookie.name, answer.cookie.value, {
      path: answer.cookie.path,
      maxAge: answer.cookie.maxAgeSeconds * 1000,
      httpOnly: true,
      sameSite: 'lax',
      secure,
    });
  }
  if (answer.redirect) return void res.redirect(answer.status === 302 ? 302 : 303, answer.redirect);
  res
    .status(answer.status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><meta charset="utf-8"><title>HomeOS</title><p>${escapeHtml(answer.message ?? '')}</p>`);
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim()) || null;
    } catch {
      return null;
    }
  }
  return null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
