import { sql, type SelectQueryBuilder } from 'kysely';
import { OrderDirection, toSortDirection } from '../../common/order';
import { paginate, type Connection } from '../../common/pagination';
import { projectColumns, type ProjectionSpec } from '../../common/projection';
import { Topic } from '../../common/pubsub';
import type { Reader } from '../../common/reader';
import type { Context, Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { ActivityService } from '../activity/activity.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { Screenshot } from './screenshot.entity';
import { buildStep, findScreenshots } from './steps.service';
import { assertEditable, lockWorkflow } from './workflow-access';
import { allowedTransitions, canTransition } from './workflow-lifecycle';
import { WorkflowStatus } from './workflow.enums';
import { Workflow } from './workflow.entity';
import { InvalidStatusTransitionError, InvalidWorkflowError } from './workflows.errors';
import {
  WorkflowOrderField,
  type CreateWorkflowInput,
  type UpdateWorkflowInput,
  type WorkflowFilter,
  type WorkflowOrder,
} from './workflows.inputs';
import { selectWorkflow, WORKFLOW_COLUMNS, WORKFLOW_NEEDS } from './workflows.read';
import type { WorkflowNode } from './workflows.types';

const WORKFLOW_SORT = {
  [WorkflowOrderField.CREATED_AT]: { column: 'workflows.created_at', field: 'createdAt' },
  [WorkflowOrderField.UPDATED_AT]: { column: 'workflows.updated_at', field: 'updatedAt' },
  [WorkflowOrderField.NAME]: { column: 'workflows.name', field: 'name' },
} as const;

/** What a page of workflows reads, by the field it is sorted on (which the cursor needs). */
const WORKFLOW_PROJECTIONS: Record<string, ProjectionSpec<string>> = Object.fromEntries(
  Object.values(WORKFLOW_SORT).map(({ field }) => [
    field,
    { columns: WORKFLOW_COLUMNS, needs: WORKFLOW_NEEDS, always: ['id', field] },
  ]),
);

/** The workspace's workflows: their fields, their lifecycle, and the lists of them. */
export class WorkflowsService {
  constructor(private readonly ctx: Context) {}

  create(viewer: Viewer, input: CreateWorkflowInput): Promise<string> {
    return this.ctx.em.transactional(async (em) => {
      const now = this.ctx.app.clock();
      const workflow = em.create(Workflow, {
        workspace: viewer.workspaceId,
        createdBy: viewer.id,
        name: requiredText(input.name, 'name'),
        description: input.description ?? null,
        startingUrl: input.startingUrl ?? null,
        tags: normaliseTags(input.tags),
        createdAt: now,
        updatedAt: now,
      });
      const steps = input.steps ?? [];
      const screenshots = await findScreenshots(
        em,
        steps.map((s) => s.screenshotId),
      );
      steps.forEach((step, i) => buildStep(em, viewer, workflow, step, i + 1, screenshots, now));
      new ActivityService(em).build({
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        type: 'workflow.created',
        message: `${viewer.displayName} recorded the workflow "${workflow.name}"`,
        payload: { workflowId: workflow.id, steps: steps.length },
      });
      await em.flush();
      return workflow.id;
    });
  }

  update(input: UpdateWorkflowInput): Promise<string> {
    return this.ctx.em.transactional(async (em) => {
      const workflow = await lockWorkflow(em, input.id);
      assertEditable(workflow);
      if (input.name !== undefined) workflow.name = requiredText(input.name, 'name');
      if (input.description !== undefined) workflow.description = input.description;
      if (input.startingUrl !== undefined) workflow.startingUrl = input.startingUrl;
      if (input.tags !== undefined) workflow.tags = normaliseTags(input.tags);
      workflow.updatedAt = this.ctx.app.clock();
      await em.flush();
      return workflow.id;
    });
  }

  /**
   * Moves a workflow along its lifecycle; a change the lifecycle does not allow is refused. Making
   * it ACTIVE again (after a review or a repair) starts its health afresh: earlier failures no
   * longer count towards NEEDS_REVIEW or BROKEN.
   */
  async setStatus(viewer: Viewer, id: string, status: WorkflowStatus): Promise<string> {
    const previous = await this.ctx.em.transactional(async (em) => {
      const workflow = await lockWorkflow(em, id);
      const from = workflow.status;
      if (from === status) return null;
      if (!canTransition(from, status)) {
        throw new InvalidStatusTransitionError(from, status, [...allowedTransitions(from)]);
      }
      const now = this.ctx.app.clock();
      workflow.status = status;
      workflow.updatedAt = now;
      if (status === WorkflowStatus.ACTIVE) {
        workflow.consecutiveFailures = 0;
        workflow.healthSince = now;
      }
      new ActivityService(em).build({
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        type: 'workflow.status_changed',
        message: `${viewer.displayName} changed "${workflow.name}" from ${from} to ${status}`,
        payload: { workflowId: id, from, to: status },
      });
      await em.flush();
      return from;
    });
    if (previous) {
      this.ctx.app.pubSub.publish(Topic.WorkflowHealthChanged, {
        workspaceId: viewer.workspaceId,
        workflowId: id,
        healthLogId: null,
        previousStatus: previous,
        status,
      });
    }
    return id;
  }

  /**
   * Deletes a workflow with its steps, runs, screenshots and the notifications about it. A screenshot
   * that steps of other workflows also show moves to one of those workflows instead of going away.
   */
  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const removedKeys = await this.ctx.em.transactional(async (em) => {
      const workflow = await lockWorkflow(em, id);
      const db = em.getKysely<DB>();
      const shared = await db
        .selectFrom('screenshots as s')
        .innerJoin('steps as st', 'st.screenshot_id', 's.id')
        .select(['s.id', sql<string>`(array_agg(st.workflow_id order by st.workflow_id))[1]`.as('otherWorkflowId')])
        .where('s.workspace_id', '=', viewer.workspaceId)
        .where('s.workflow_id', '=', id)
        .where('st.workflow_id', '<>', id)
        .groupBy('s.id')
        .execute();
      if (shared.length > 0) {
        const moving = await em.find(Screenshot, { id: { $in: shared.map((s) => s.id) } });
        const target = new Map(shared.map((s) => [s.id, s.otherWorkflowId]));
        for (const screenshot of moving) screenshot.workflow = em.getReference(Workflow, target.get(screenshot.id)!);
        await em.flush();
      }
      const removed = await db
        .selectFrom('screenshots')
        .select('storage_key')
        .where('workspace_id', '=', viewer.workspaceId)
        .where('workflow_id', '=', id)
        .execute();
      await new NotificationsService(em, this.ctx.app.pubSub).removeAbout(viewer.workspaceId, 'workflow', id);
      await new AuditService(em).record(
        {
          action: 'workflow.deleted',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'workflow',
          targetId: id,
          details: { name: workflow.name, status: workflow.status, screenshotsRemoved: removed.length },
        },
        this.ctx.request,
      );
      new ActivityService(em).build({
        workspaceId: viewer.workspaceId,
        userId: viewer.id,
        type: 'workflow.deleted',
        message: `${viewer.displayName} deleted the workflow "${workflow.name}"`,
        payload: { workflowId: id },
      });
      em.remove(workflow);
      await em.flush();
      return removed.map((r) => r.storage_key);
    });
    await this.ctx.app.screenshots.removeUnreferenced(this.ctx.em.getKysely<DB>(), removedKeys);
    return true;
  }

  get(reader: Reader, id: string): Promise<WorkflowNode | undefined> {
    return selectWorkflow(reader).where('workflows.id', '=', id).executeTakeFirst() as Promise<
      WorkflowNode | undefined
    >;
  }

  /** A page of the workspace's workflows, reading only the columns of `requested` fields. */
  list(
    reader: Reader,
    page: { first: number; after?: string | null },
    filter: WorkflowFilter | null | undefined,
    order: WorkflowOrder | null | undefined,
    requested: Set<string>,
  ): Promise<Connection<WorkflowNode>> {
    const sort = WORKFLOW_SORT[order?.field ?? WorkflowOrderField.CREATED_AT];
    const direction = order ? (order.direction ?? OrderDirection.ASC) : OrderDirection.DESC;
    let query = reader
      .from('workflows')
      .select(projectColumns(requested, WORKFLOW_PROJECTIONS[sort.field]!) as never) as unknown as SelectQueryBuilder<
      DB,
      'workflows',
      WorkflowNode
    >;
    if (filter?.status) query = query.where('workflows.status', '=', filter.status);
    const tag = filter?.tag?.trim();
    if (tag) query = query.where(sql<boolean>`workflows.tags @> ${JSON.stringify([tag])}::jsonb`);
    const text = filter?.text?.trim();
    if (text) {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb('workflows.name', 'ilike', pattern), eb('workflows.description', 'ilike', pattern)]),
      );
    }
    return paginate({
      query,
      idColumn: 'workflows.id',
      sort: { ...sort, direction: toSortDirection(direction) },
      first: page.first,
      after: page.after,
    });
  }
}

function requiredText(value: string | null, field: string): string {
  const text = value?.trim();
  if (!text) throw new InvalidWorkflowError(`${field} cannot be empty`);
  return text;
}

/** Tags trimmed, without repeats; an empty tag is refused. */
function normaliseTags(tags: string[] | null | undefined): string[] {
  const result: string[] = [];
  for (const tag of tags ?? []) {
    const trimmed = tag.trim();
    if (!trimmed) throw new InvalidWorkflowError('a tag cannot be empty');
    if (!result.includes(trimmed)) result.push(trimmed);
  }
  return result;
}
