import type { GraphQLResolveInfo } from 'graphql';
import { projectColumns, projectionKey, requestedFields, type ProjectionSpec } from '../../common/projection';
import type { Context } from '../../context';
import {
  screenshotLoader,
  SCREENSHOT_PROJECTION,
  stepLoader,
  STEP_PROJECTION,
  workflowLoader,
  WORKFLOW_COLUMNS,
  WORKFLOW_NEEDS,
} from './workflows.read';
import { ScreenshotNotFoundError, StepNotFoundError, WorkflowNotFoundError } from './workflows.errors';
import type { ScreenshotNode, StepNode, WorkflowNode } from './workflows.types';

/** Relations of the workflow nodes, batched per request and reading only the asked-for columns. */

const WORKFLOW_BY_ID: ProjectionSpec<string> = { columns: WORKFLOW_COLUMNS, needs: WORKFLOW_NEEDS, always: ['id'] };
const STEP_BY_ID: ProjectionSpec<string> = { ...STEP_PROJECTION, always: ['id', 'workflowId'] };

type Info = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

export async function loadWorkflow(ctx: Context, info: Info, id: string): Promise<WorkflowNode> {
  const columns = projectColumns(requestedFields(info), WORKFLOW_BY_ID);
  const row = await ctx.loaders
    .named(`workflow:${projectionKey(columns)}`, (reader) => workflowLoader(reader, columns))
    .load(id);
  if (!row) throw new WorkflowNotFoundError(id);
  return row;
}

export async function loadStep(ctx: Context, info: Info, id: string): Promise<StepNode> {
  const columns = projectColumns(requestedFields(info), STEP_BY_ID);
  const row = await ctx.loaders
    .named(`step:${projectionKey(columns)}`, (reader) => stepLoader(reader, columns))
    .load(id);
  if (!row) throw new StepNotFoundError(id);
  return row;
}

export async function loadScreenshot(ctx: Context, info: Info, id: string): Promise<ScreenshotNode> {
  const columns = projectColumns(requestedFields(info), SCREENSHOT_PROJECTION);
  const row = await ctx.loaders
    .named(`screenshot:${projectionKey(columns)}`, (reader) => screenshotLoader(reader, columns))
    .load(id);
  if (!row) throw new ScreenshotNotFoundError(id);
  return row;
}
