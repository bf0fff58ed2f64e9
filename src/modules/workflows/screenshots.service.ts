import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from 'uuidv7';
import { paginate, type Connection } from '../../common/pagination';
import type { Reader } from '../../common/reader';
import type { RequestInfo, Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { AuditService } from '../audit/audit.service';
import { inspectImage } from './image-check';
import type { ScreenshotFiles } from './screenshot-files';
import { screenshotKey } from './screenshot-storage';
import { Screenshot } from './screenshot.entity';
import { Step } from './step.entity';
import { assertEditable } from './workflow-access';
import { Workflow } from './workflow.entity';
import {
  InvalidScreenshotError,
  ScreenshotNotFoundError,
  ScreenshotTooLargeError,
  StepNotFoundError,
  WorkflowNotFoundError,
} from './workflows.errors';
import { selectScreenshot } from './workflows.read';
import type { ScreenshotNode } from './workflows.types';

export interface ScreenshotUpload {
  workflowId: string;
  /** A step of that workflow to show the screenshot. */
  stepId: string | null;
  bytes: Buffer;
}

/**
 * Screenshots of the workspace's workflows. An image is stored once per workspace: uploading the
 * same bytes again returns the screenshot already stored (and may attach it to another step).
 */
export class ScreenshotsService {
  constructor(
    private readonly em: EntityManager,
    private readonly files: ScreenshotFiles,
    private readonly clock: () => Date,
  ) {}

  async upload(viewer: Viewer, input: ScreenshotUpload): Promise<{ id: string; created: boolean }> {
    const { bytes } = input;
    if (bytes.length === 0) throw new InvalidScreenshotError('The file is empty');
    if (bytes.length > this.files.maxBytes) throw new ScreenshotTooLargeError(this.files.maxBytes);
    const image = inspectImage(bytes);
    if (!image) throw new InvalidScreenshotError('The file is not an image: send a PNG, JPEG, WebP or GIF');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return this.em.transactional(async (em) => {
      // Shared lock: uploads go on side by side, but the workflow cannot be deleted meanwhile.
      const workflow = await em.findOne(Workflow, input.workflowId, { lockMode: LockMode.PESSIMISTIC_READ });
      if (!workflow) throw new WorkflowNotFoundError(input.workflowId);
      assertEditable(workflow);
      const step = input.stepId ? await em.findOne(Step, { id: input.stepId, workflow: workflow.id }) : null;
      if (input.stepId && !step) throw new StepNotFoundError(input.stepId);
      const db = em.getKysely<DB>();
      const find = () =>
        db
          .selectFrom('screenshots')
          .select('id')
          .where('workspace_id', '=', viewer.workspaceId)
          .where('sha256', '=', sha256)
          .executeTakeFirst();
      let screenshot = await find();
      let created = false;
      if (!screenshot) {
        const key = screenshotKey(viewer.workspaceId, sha256, image.format);
        const stored = await this.files.storage.put(key, bytes, image.contentType);
        const now = this.clock();
        // The same image uploaded twice at once: the second insert waits for the first and does nothing.
        screenshot = await db
          .insertInto('screenshots')
          .values({
            id: uuidv7(),
            workspace_id: viewer.workspaceId,
            workflow_id: workflow.id,
            sha256,
            storage_key: stored.key,
            storage_url: stored.url,
            file_size: bytes.length,
            width: image.width,
            height: image.height,
            format: image.format,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing())
          .returning('id')
          .executeTakeFirst();
        created = screenshot !== undefined;
        screenshot ??= await find();
        if (!screenshot) throw new Error('a screenshot vanished while it was uploaded again');
      }
      if (step) {
        step.screenshot = em.getReference(Screenshot, screenshot.id);
        step.updatedAt = this.clock();
        await em.flush();
      }
      return { id: screenshot.id, created };
    });
  }

  /** Deletes a screenshot; the steps that showed it keep going without one. */
  async delete(viewer: Viewer, id: string, request: RequestInfo): Promise<boolean> {
    const key = await this.em.transactional(async (em) => {
      const screenshot = await em.findOne(Screenshot, id);
      if (!screenshot) throw new ScreenshotNotFoundError(id);
      await new AuditService(em).record(
        {
          action: 'screenshot.deleted',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'screenshot',
          targetId: id,
          details: { sha256: screenshot.sha256, workflowId: screenshot.workflow.id },
        },
        request,
      );
      em.remove(screenshot);
      await em.flush();
      return screenshot.storageKey;
    });
    await this.files.removeUnreferenced(this.em.getKysely<DB>(), [key]);
    return true;
  }

  get(reader: Reader, id: string): Promise<ScreenshotNode | undefined> {
    return selectScreenshot(reader).where('screenshots.id', '=', id).executeTakeFirst() as Promise<
      ScreenshotNode | undefined
    >;
  }

  /** The screenshots uploaded for a workflow, oldest first. */
  list(reader: Reader, workflowId: string, first: number, after?: string | null): Promise<Connection<ScreenshotNode>> {
    return paginate({
      query: selectScreenshot(reader).where('screenshots.workflow_id', '=', workflowId),
      idColumn: 'screenshots.id',
      sort: { column: 'screenshots.created_at', field: 'createdAt', direction: 'asc' },
      first,
      after,
    }) as Promise<Connection<ScreenshotNode>>;
  }
}
