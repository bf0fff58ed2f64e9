import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { paginate, type Connection } from '../../common/pagination';
import { Topic, type AppPubSub, type NotificationReceivedPayload } from '../../common/pubsub';
import type { Reader } from '../../common/reader';
import type { RequestInfo, Viewer } from '../../context';
import type { DB } from '../../db/tables';
import { WorkspaceSettings } from '../accounts/workspace-settings';
import { ActivityService } from '../activity/activity.service';
import { AuditService } from '../audit/audit.service';
import { NotificationSeverity } from '../notifications/notification.enums';
import { NotificationsService } from '../notifications/notifications.service';
import { HealthLog } from './health-log.entity';
import type { RecordWorkflowRunInput, WorkflowHealthSettingsInput } from './health.inputs';
import { Step } from './step.entity';
import { lockWorkflow } from './workflow-access';
import { parseHealthSettings, statusAfterRun, type HealthSettings, type RecentRuns } from './workflow-lifecycle';
import { RunStatus, WorkflowStatus } from './workflow.enums';
import type { Workflow } from './workflow.entity';
import { InvalidWorkflowError, StepNotFoundError } from './workflows.errors';
import { selectHealthLog } from './workflows.read';
import type { HealthLogNode } from './workflows.types';

/** The section of the workspace settings that holds the health thresholds. */
export const HEALTH_SETTINGS_KEY = 'workflowHealth';

/**
 * Runs of workflows and what they mean: each run is logged and counted in the same transaction,
 * under the workflow's row lock, so concurrent runs are counted one after the other and a status
 * change (with its one notification to the admins) happens exactly once.
 */
export class HealthService {
  constructor(
    private readonly em: EntityManager,
    private readonly pubSub: AppPubSub,
    private readonly clock: () => Date,
  ) {}

  async recordRun(viewer: Viewer, input: RecordWorkflowRunInput): Promise<string> {
    checkRunInput(input);
    const notifications: NotificationReceivedPayload[] = [];
    const outcome = await this.em.transactional(async (em) => {
      const workflow = await lockWorkflow(em, input.workflowId);
      if (workflow.status === WorkflowStatus.ARCHIVED) {
        throw new InvalidWorkflowError(`Workflow ${workflow.id} is archived: its runs are no longer recorded`);
      }
      const step = input.failedStepId
        ? await em.findOne(Step, { id: input.failedStepId, workflow: workflow.id })
        : null;
      if (input.failedStepId && !step) throw new StepNotFoundError(input.failedStepId);
      const now = this.clock();
      const log = em.create(HealthLog, {
        workspace: viewer.workspaceId,
        workflow,
        step,
        user: viewer.id,
        status: input.status,
        errorType: input.errorType ?? null,
        errorMessage: input.error ?? null,
        healedSelectors: input.healedSelectors ?? null,
        healingConfidence: input.healingConfidence ?? null,
        deterministicScore: input.deterministicScore ?? null,
        aiConfidence: input.aiConfidence ?? null,
        candidatesEvaluated: input.candidatesEvaluated ?? null,
        pageStateHash: input.pageStateHash ?? null,
        pageUrl: input.pageUrl ?? null,
        durationMs: input.durationMs ?? null,
        createdAt: now,
      });
      count(workflow, input.status, now);
      if (step && input.status === RunStatus.HEALED) {
        step.healedSelectors = input.healedSelectors ?? null;
        step.healedAt = now;
        step.healingConfidence = input.healingConfidence ?? null;
        step.healingMethod = input.healingMethod ?? null;
        step.healCount += 1;
        step.updatedAt = now;
      }
      await em.flush();
      const previous = workflow.status;
      const settings = await readHealthSettings(em, viewer.workspaceId);
      const recent = await recentRuns(em, workflow, settings.reviewWindowRuns);
      const next = statusAfterRun(previous, workflow.consecutiveFailures, recent, settings);
      if (next !== previous) {
        workflow.status = next;
        const alert = healthAlert(viewer.workspaceId, workflow, recent, settings);
        notifications.push(new NotificationsService(em, this.pubSub).build(alert));
        new ActivityService(em).build({
          workspaceId: viewer.workspaceId,
          userId: null,
          type: 'workflow.status_changed',
          message: `${alert.title}: ${alert.message}`,
          payload: { workflowId: workflow.id, from: previous, to: next, healthLogId: log.id },
        });
        await em.flush();
      }
      return { logId: log.id, previous, status: next };
    });
    new NotificationsService(this.em, this.pubSub).publish(notifications);
    this.pubSub.publish(Topic.WorkflowHealthChanged, {
      workspaceId: viewer.workspaceId,
      workflowId: input.workflowId,
      healthLogId: outcome.logId,
      previousStatus: outcome.previous,
      status: outcome.status,
    });
    return outcome.logId;
  }

  async settings(workspaceId: string): Promise<HealthSettings> {
    return readHealthSettings(this.em, workspaceId);
  }

  async updateSettings(
    viewer: Viewer,
    input: WorkflowHealthSettingsInput,
    request: RequestInfo,
  ): Promise<HealthSettings> {
    return this.em.transactional(async (em) => {
      const current = await readHealthSettings(em, viewer.workspaceId);
      const next: HealthSettings = {
        brokenAfterFailures: input.brokenAfterFailures ?? current.brokenAfterFailures,
        reviewWindowRuns: input.reviewWindowRuns ?? current.reviewWindowRuns,
        reviewBelowSuccessRate: input.reviewBelowSuccessRate ?? current.reviewBelowSuccessRate,
      };
      await new WorkspaceSettings(em).write(viewer.workspaceId, HEALTH_SETTINGS_KEY, next);
      await new AuditService(em).record(
        {
          action: 'workflow.health_settings_changed',
          success: true,
          workspaceId: viewer.workspaceId,
          userId: viewer.id,
          targetType: 'workspace',
          targetId: viewer.workspaceId,
          details: { from: { ...current }, to: { ...next } },
        },
        request,
      );
      return next;
    });
  }

  get(reader: Reader, id: string): Promise<HealthLogNode | undefined> {
    return selectHealthLog(reader).where('health_logs.id', '=', id).executeTakeFirst() as Promise<
      HealthLogNode | undefined
    >;
  }

  /** A workflow's runs, newest first (a later page than the first: the first is read in batches). */
  list(
    reader: Reader,
    workflowId: string,
    status: RunStatus | null,
    first: number,
    after?: string | null,
  ): Promise<Connection<HealthLogNode>> {
    let query = selectHealthLog(reader).where('health_logs.workflow_id', '=', workflowId);
    if (status) query = query.where('health_logs.status', '=', status);
    return paginate({
      query,
      idColumn: 'health_logs.id',
      sort: { column: 'health_logs.created_at', field: 'createdAt', direction: 'desc' },
      first,
      after,
    }) as Promise<Connection<HealthLogNode>>;
  }
}

/** Refuses fields that do not fit the run's status. */
function checkRunInput(input: RecordWorkflowRunInput): void {
  if (input.status === RunStatus.SUCCESS && input.failedStepId) {
    throw new InvalidWorkflowError('failedStepId is for FAILURE and HEALED runs');
  }
  if (input.status === RunStatus.HEALED && (!input.failedStepId || !input.healedSelectors)) {
    throw new InvalidWorkflowError('a HEALED run needs the healed step (failedStepId) and its healedSelectors');
  }
  if (input.status !== RunStatus.HEALED && input.healedSelectors) {
    throw new InvalidWorkflowError('healedSelectors are for HEALED runs');
  }
}

function count(workflow: Workflow, status: RunStatus, now: Date): void {
  workflow.runCount += 1;
  workflow.lastRunAt = now;
  if (status === RunStatus.FAILURE) {
    workflow.failureCount += 1;
    workflow.consecutiveFailures += 1;
    workflow.lastFailedRunAt = now;
  } else {
    if (status === RunStatus.HEALED) workflow.healedCount += 1;
    else workflow.successCount += 1;
    workflow.consecutiveFailures = 0;
    workflow.lastSuccessfulRunAt = now;
  }
  workflow.successRate = (workflow.successCount + workflow.healedCount) / workflow.runCount;
}

async function readHealthSettings(em: EntityManager, workspaceId: string): Promise<HealthSettings> {
  return parseHealthSettings(await new WorkspaceSettings(em).read(workspaceId, HEALTH_SETTINGS_KEY));
}

/** The last `window` runs since the workflow's health was last started afresh. */
async function recentRuns(em: EntityManager, workflow: Workflow, window: number): Promise<RecentRuns> {
  let last = em
    .getKysely<DB>()
    .selectFrom('health_logs')
    .select('status')
    .where('workflow_id', '=', workflow.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window);
  if (workflow.healthSince) last = last.where('created_at', '>=', workflow.healthSince);
  const row = await em
    .getKysely<DB>()
    .selectFrom(last.as('r'))
    .select([
      sql<number>`count(*)::int`.as('runs'),
      sql<number>`(count(*) filter (where r.status <> ${RunStatus.FAILURE}))::int`.as('successes'),
    ])
    .executeTakeFirstOrThrow();
  return { runs: row.runs, successes: row.successes };
}

function healthAlert(workspaceId: string, workflow: Workflow, recent: RecentRuns, settings: HealthSettings) {
  const broken = workflow.status === WorkflowStatus.BROKEN;
  const percent = (rate: number) => `${Math.round(rate * 100)} %`;
  return {
    workspaceId,
    to: 'admins' as const,
    severity: broken ? NotificationSeverity.ERROR : NotificationSeverity.WARNING,
    title: broken ? `Workflow "${workflow.name}" is broken` : `Workflow "${workflow.name}" needs review`,
    message: broken
      ? `It failed ${workflow.consecutiveFailures} times in a row.`
      : `${percent(recent.successes / recent.runs)} of its last ${recent.runs} runs succeeded ` +
        `(below ${percent(settings.reviewBelowSuccessRate)}).`,
    sourceType: 'workflow',
    sourceId: workflow.id,
    data: { status: workflow.status, consecutiveFailures: workflow.consecutiveFailures, recent: { ...recent } },
  };
}
