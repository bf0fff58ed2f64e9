import Busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import type { App } from '../../app';
import { AppError, ErrorCode, ForbiddenError, UnauthenticatedError } from '../../common/errors';
import { parseId } from '../../common/ids';
import type { Context, Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { bearerToken } from '../accounts/token.service';
import { ScreenshotsService, type ScreenshotUpload } from './screenshots.service';
import { InvalidScreenshotError, ScreenshotTooLargeError } from './workflows.errors';

const STATUS: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
};

const USAGE =
  'Send multipart/form-data with the fields workflowId and, optionally, stepId, then the image as the field file';

/**
 * `POST /screenshots` (multipart upload, signed-in members) and `GET /screenshots/<id>` (the image,
 * by signed address or with the Authorization header). Errors come in GraphQL's shape,
 * `{ errors: [{ message, extensions: { code } }] }`, with the matching HTTP status.
 */
export function screenshotRoutes(app: App, contextFor: (req: Request, viewer: Viewer) => Context): express.Router {
  const router = express.Router();

  router.post('/screenshots', async (req, res) => {
    try {
      const viewer = await app.viewers.resolve(bearerToken(req.headers.authorization));
      if (!viewer) throw new UnauthenticatedError();
      const upload = await readUpload(req, app.screenshots.maxBytes);
      const ctx = contextFor(req, viewer);
      const service = new ScreenshotsService(ctx.em, app.screenshots, app.clock);
      const { id, created } = await service.upload(viewer, upload);
      const screenshot = await service.get(ctx.reader, id);
      res.status(created ? 201 : 200).json({
        screenshot: { ...screenshot, url: app.screenshots.urls.url(ctx.request.baseUrl, id) },
        created,
      });
    } catch (error) {
      sendError(app, req, res, error);
    }
  });

  router.get('/screenshots/:id', async (req, res) => {
    try {
      const id = parseId(req.params.id);
      const db = app.orm.em.getKysely<DB>();
      let query = db.selectFrom('screenshots').select(['storage_key', 'format', 'sha256']).where('id', '=', id);
      if (req.query.signature !== undefined) {
        if (!app.screenshots.urls.verify(id, req.query.expires, req.query.signature)) {
          throw new ForbiddenError('This screenshot address is not valid or has expired');
        }
      } else {
        const viewer = await app.viewers.resolve(bearerToken(req.headers.authorization));
        if (!viewer) throw new UnauthenticatedError();
        query = query.where('workspace_id', '=', viewer.workspaceId);
      }
      const row = await query.executeTakeFirst();
      const bytes = row ? await app.screenshots.storage.read(row.storage_key) : null;
      if (!row || !bytes) {
        sendJsonError(res, 404, 'Screenshot not found', ErrorCode.NOT_FOUND);
        return;
      }
      res.set({
        'cache-control': 'private, max-age=300',
        etag: `"${row.sha256}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
      });
      if (req.headers['if-none-match'] === `"${row.sha256}"`) {
        res.status(304).end();
        return;
      }
      res.type(`image/${row.format}`).send(bytes);
    } catch (error) {
      sendError(app, req, res, error);
    }
  });

  return router;
}

/** The form's fields and its one file, at most `maxBytes` long. */
function readUpload(req: Request, maxBytes: number): Promise<ScreenshotUpload> {
  return new Promise((resolve, reject) => {
    if (!req.headers['content-type']?.toLowerCase().startsWith('multipart/form-data')) {
      reject(new InvalidScreenshotError(USAGE));
      return;
    }
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({
        headers: req.headers,
        limits: { files: 1, fields: 4, fieldSize: 200, parts: 6, fileSize: maxBytes },
      });
    } catch {
      reject(new InvalidScreenshotError(USAGE));
      return;
    }
    const fields = new Map<string, string>();
    const chunks: Buffer[] = [];
    let problem: AppError | undefined;
    let files = 0;
    busboy.on('field', (name, value) => fields.set(name, value));
    busboy.on('file', (name, stream) => {
      files += 1;
      if (name !== 'file') {
        problem ??= new InvalidScreenshotError(USAGE);
        stream.resume();
        return;
      }
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        problem ??= new ScreenshotTooLargeError(maxBytes);
      });
    });
    const limit = () => {
      problem ??= new InvalidScreenshotError(`Too many fields or files. ${USAGE}`);
    };
    busboy.on('filesLimit', limit);
    busboy.on('fieldsLimit', limit);
    busboy.on('partsLimit', limit);
    busboy.on('error', () => reject(new InvalidScreenshotError(`The form could not be read. ${USAGE}`)));
    busboy.on('close', () => {
      if (problem) return reject(problem);
      const workflowId = fields.get('workflowId');
      if (!workflowId || files !== 1) return reject(new InvalidScreenshotError(USAGE));
      try {
        const stepId = fields.get('stepId');
        resolve({
          workflowId: parseId(workflowId, 'workflowId'),
          stepId: stepId ? parseId(stepId, 'stepId') : null,
          bytes: Buffer.concat(chunks),
        });
      } catch (error) {
        reject(error instanceof Error ? error : new InvalidScreenshotError(USAGE));
      }
    });
    req.pipe(busboy);
  });
}

function sendError(app: App, req: Request, res: Response, error: unknown): void {
  if (error instanceof AppError) {
    const status = error instanceof ScreenshotTooLargeError ? 413 : (STATUS[error.code] ?? 400);
    sendJsonError(res, status, error.message, error.code);
  } else {
    app.logger.error({ err: error, path: req.path }, 'unexpected error serving a screenshot');
    sendJsonError(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
  }
}

function sendJsonError(res: Response, status: number, message: string, code: string): void {
  if (res.headersSent) return;
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
