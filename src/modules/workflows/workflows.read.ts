import DataLoader from 'dataloader';
import { sql } from 'kysely';
import { projectionKey, type ProjectionSpec } from '../../common/projection';
import type { Reader } from '../../common/reader';
import type { RunStatus } from './workflow.enums';
import type { HealthLogNode, ScreenshotNode, StepNode, WorkflowHealthNode, WorkflowNode } from './workflows.types';

/** Each field of a `Workflow` node (and the hidden ones its resolvers read) and its column. */
export const WORKFLOW_COLUMNS = {
  id: 'workflows.id',
  name: 'workflows.name',
  description: 'workflows.description',
  startingUrl: 'workflows.starting_url as startingUrl',
  tags: 'workflows.tags',
  status: 'workflows.status',
  createdAt: 'workflows.created_at as createdAt',
  updatedAt: 'workflows.updated_at as updatedAt',
  createdById: 'workflows.created_by_id as createdById',
  successRate: 'workflows.success_rate as successRate',
  runCount: 'workflows.run_count as runCount',
  successCount: 'workflows.success_count as successCount',
  failureCount: 'workflows.failure_count as failureCount',
  healedCount: 'workflows.healed_count as healedCount',
  consecutiveFailures: 'workflows.consecutive_failures as consecutiveFailures',
  lastRunAt: 'workflows.last_run_at as lastRunAt',
  lastSuccessfulRunAt: 'workflows.last_successful_run_at as lastSuccessfulRunAt',
  lastFailedRunAt: 'workflows.last_failed_run_at as lastFailedRunAt',
} as const;

const HEALTH_FIELDS = [
  'successRate',
  'runCount',
  'successCount',
  'failureCount',
  'healedCount',
  'consecutiveFailures',
  'lastRunAt',
  'lastSuccessfulRunAt',
  'lastFailedRunAt',
];

export const WORKFLOW_NEEDS = { health: HEALTH_FIELDS, createdBy: ['createdById'] };

export const STEP_COLUMNS = {
  id: 'steps.id',
  stepNumber: 'steps.step_number as stepNumber',
  action: 'steps.action',
  recordedAt: 'steps.recorded_at as recordedAt',
  selectors: 'steps.selectors',
  elementMeta: 'steps.element_meta as elementMeta',
  pageContext: 'steps.page_context as pageContext',
  actionData: 'steps.action_data as actionData',
  domContext: 'steps.dom_context as domContext',
  label: 'steps.label',
  instruction: 'steps.instruction',
  aiConfidence: 'steps.ai_confidence as aiConfidence',
  aiModel: 'steps.ai_model as aiModel',
  aiGeneratedAt: 'steps.ai_generated_at as aiGeneratedAt',
  labelEdited: 'steps.label_edited as labelEdited',
  instructionEdited: 'steps.instruction_edited as instructionEdited',
  editedAt: 'steps.edited_at as editedAt',
  healedSelectors: 'steps.healed_selectors as healedSelectors',
  healedAt: 'steps.healed_at as healedAt',
  healingConfidence: 'steps.healing_confidence as healingConfidence',
  healingMethod: 'steps.healing_method as healingMethod',
  healCount: 'steps.heal_count as healCount',
  createdAt: 'steps.created_at as createdAt',
  updatedAt: 'steps.updated_at as updatedAt',
  workflowId: 'steps.workflow_id as workflowId',
  screenshotId: 'steps.screenshot_id as screenshotId',
  editedById: 'steps.edited_by_id as editedById',
} as const;

export const STEP_PROJECTION: ProjectionSpec<string> = {
  columns: STEP_COLUMNS,
  needs: { workflow: ['workflowId'], editedBy: ['editedById'] },
  always: ['id', 'stepNumber', 'workflowId'],
};

const SHOT_PREFIX = 'screenshot__';

/**
 * A step's screenshot is read with the step, joined in the same statement (a list of steps needs
 * no second query, and the field no resolver): each field of a `Screenshot` node and its column.
 */
export const STEP_SCREENSHOT_COLUMNS = {
  id: `screenshots.id as ${SHOT_PREFIX}id`,
  sha256: `screenshots.sha256 as ${SHOT_PREFIX}sha256`,
  fileSize: `screenshots.file_size as ${SHOT_PREFIX}fileSize`,
  width: `screenshots.width as ${SHOT_PREFIX}width`,
  height: `screenshots.height as ${SHOT_PREFIX}height`,
  format: `screenshots.format as ${SHOT_PREFIX}format`,
  createdAt: `screenshots.created_at as ${SHOT_PREFIX}createdAt`,
  workflowId: `screenshots.workflow_id as ${SHOT_PREFIX}workflowId`,
} as const;

export const STEP_SCREENSHOT_PROJECTION: ProjectionSpec<string> = {
  columns: STEP_SCREENSHOT_COLUMNS,
  needs: { workflow: ['workflowId'] },
  always: ['id'],
};

/** What to read of steps: their columns, and their screenshot's (null when it is not asked for). */
export interface StepSelection {
  columns: string[];
  screenshot: string[] | null;
}

export function stepSelectionKey(selection: StepSelection): string {
  return `${projectionKey(selection.columns)}|${selection.screenshot ? projectionKey(selection.screenshot) : '-'}`;
}

/** `select <columns> from steps [left join screenshots]`, limited to the workspace. */
function selectSteps(reader: Reader, selection: StepSelection) {
  const query = reader.from('steps').select(selection.columns as never);
  if (!selection.screenshot) return query;
  return query
    .leftJoin('screenshots', (join) =>
      join.onRef('screenshots.id', '=', 'steps.screenshot_id').on('screenshots.workspace_id', '=', reader.workspaceId),
    )
    .select(selection.screenshot as never);
}

/** Gathers the joined screenshot columns of each row into its `screenshot` (or null). */
function withScreenshots(rows: Array<Record<string, unknown>>, selection: StepSelection): StepNode[] {
  if (selection.screenshot) {
    const fields = selection.screenshot.map((c) => {
      const alias = c.slice(c.indexOf(SHOT_PREFIX));
      return [alias.slice(SHOT_PREFIX.length), alias] as const;
    });
    const idAlias = `${SHOT_PREFIX}id`;
    for (const row of rows) {
      if (row[idAlias] == null) {
        row.screenshot = null;
        continue;
      }
      const screenshot: Record<string, unknown> = {};
      for (const [field, alias] of fields) screenshot[field] = row[alias];
      row.screenshot = screenshot;
    }
  }
  return rows as unknown as StepNode[];
}

export const SCREENSHOT_COLUMNS = {
  id: 'screenshots.id',
  sha256: 'screenshots.sha256',
  fileSize: 'screenshots.file_size as fileSize',
  width: 'screenshots.width',
  height: 'screenshots.height',
  format: 'screenshots.format',
  createdAt: 'screenshots.created_at as createdAt',
  workflowId: 'screenshots.workflow_id as workflowId',
} as const;

export const SCREENSHOT_PROJECTION: ProjectionSpec<string> = {
  columns: SCREENSHOT_COLUMNS,
  needs: { workflow: ['workflowId'] },
  always: ['id'],
};

export const HEALTH_LOG_COLUMNS = {
  id: 'health_logs.id',
  status: 'health_logs.status',
  errorType: 'health_logs.error_type as errorType',
  error: 'health_logs.error_message as error',
  healedSelectors: 'health_logs.healed_selectors as healedSelectors',
  healingConfidence: 'health_logs.healing_confidence as healingConfidence',
  deterministicScore: 'health_logs.deterministic_score as deterministicScore',
  aiConfidence: 'health_logs.ai_confidence as aiConfidence',
  candidatesEvaluated: 'health_logs.candidates_evaluated as candidatesEvaluated',
  pageStateHash: 'health_logs.page_state_hash as pageStateHash',
  pageUrl: 'health_logs.page_url as pageUrl',
  durationMs: 'health_logs.duration_ms as durationMs',
  createdAt: 'health_logs.created_at as createdAt',
  workflowId: 'health_logs.workflow_id as workflowId',
  stepId: 'health_logs.step_id as stepId',
  userId: 'health_logs.user_id as userId',
} as const;

export const HEALTH_LOG_PROJECTION: ProjectionSpec<string> = {
  columns: HEALTH_LOG_COLUMNS,
  needs: { workflow: ['workflowId'], step: ['stepId'], ranBy: ['userId'] },
  always: ['id', 'createdAt', 'workflowId'],
};

export const selectWorkflow = (reader: Reader) => reader.from('workflows').select(Object.values(WORKFLOW_COLUMNS));
export const selectScreenshot = (reader: Reader) =>
  reader.from('screenshots').select(Object.values(SCREENSHOT_COLUMNS));
export const selectHealthLog = (reader: Reader) => reader.from('health_logs').select(Object.values(HEALTH_LOG_COLUMNS));

/** The `health` of a workflow row. */
export function toHealthNode(w: WorkflowNode): WorkflowHealthNode {
  return {
    successRate: w.successRate,
    runs: w.runCount,
    successes: w.successCount,
    failures: w.failureCount,
    healed: w.healedCount,
    consecutiveFailures: w.consecutiveFailures,
    lastRunAt: w.lastRunAt,
    lastSuccessAt: w.lastSuccessfulRunAt,
    lastFailureAt: w.lastFailedRunAt,
  };
}

/** Workflows by id, reading `columns` (of WORKFLOW_COLUMNS). */
export function workflowLoader(reader: Reader, columns: string[]) {
  return reader.loader('workflows', (q) => q.select(columns as never)) as unknown as DataLoader<
    string,
    WorkflowNode | null
  >;
}

/** Steps by id, reading what `selection` says. */
export function stepLoader(reader: Reader, selection: StepSelection) {
  return new DataLoader<string, StepNode | null>(
    async (ids) => {
      const rows = await selectSteps(reader, selection)
        .where(sql<boolean>`steps.id = any(${ids as string[]}::uuid[])`)
        .execute();
      const byId = new Map(withScreenshots(rows, selection).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: 1000 },
  );
}

/** The steps of many workflows in one query, in order, reading what `selection` says. */
export function stepsByWorkflowLoader(reader: Reader, selection: StepSelection) {
  return new DataLoader<string, StepNode[]>(async (workflowIds) => {
    const rows = await selectSteps(reader, selection)
      .where(sql<boolean>`steps.workflow_id = any(${workflowIds as string[]}::uuid[])`)
      .orderBy('steps.workflow_id')
      .orderBy('steps.step_number')
      .execute();
    const byWorkflow = new Map<string, StepNode[]>(workflowIds.map((id) => [id, []]));
    for (const row of withScreenshots(rows, selection)) byWorkflow.get(row.workflowId)?.push(row);
    return workflowIds.map((id) => byWorkflow.get(id) ?? []);
  });
}

/** The newest `first + 1` runs of many workflows, in one statement. */
export function latestHealthLogsLoader(reader: Reader, first: number, status: RunStatus | null, columns: string[]) {
  return reader.pagesByParent<'health_logs', HealthLogNode>('health_logs', columns, {
    parentColumn: 'health_logs.workflow_id',
    parentField: 'workflowId',
    sortColumn: 'health_logs.created_at',
    sortField: 'createdAt',
    direction: 'desc',
    first,
    ...(status ? { where: (q) => q.where('health_logs.status', '=', status) } : {}),
  });
}

/** Run counts of many workflows in one statement. */
export function healthLogCountLoader(reader: Reader, status: RunStatus | null) {
  return reader.countsByParent(
    'health_logs',
    'health_logs.workflow_id',
    status ? (q) => q.where('health_logs.status', '=', status) : undefined,
  );
}

/** The oldest `first + 1` screenshots of many workflows, in one statement. */
export function firstScreenshotsLoader(reader: Reader, first: number, columns: string[]) {
  return reader.pagesByParent<'screenshots', ScreenshotNode>('screenshots', columns, {
    parentColumn: 'screenshots.workflow_id',
    parentField: 'workflowId',
    sortColumn: 'screenshots.created_at',
    sortField: 'createdAt',
    direction: 'asc',
    first,
  });
}

/** Screenshot counts of many workflows in one statement. */
export function screenshotCountLoader(reader: Reader) {
  return reader.countsByParent('screenshots', 'screenshots.workflow_id');
}
