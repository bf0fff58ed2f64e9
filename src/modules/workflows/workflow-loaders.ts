import type { GraphQLResolveInfo } from 'graphql';
import { projectColumns, projectionKey, requestedFields, type ProjectionSpec } from '../../common/projection';
import type { Context } from '../../context';
import {
  STEP_PROJECTION,
  STEP_SCREENSHOT_PROJECTION,
  stepLoader,
  stepSelectionKey,
  workflowLoader,
  WORKFLOW_COLUMNS,
  WORKFLOW_NEEDS,
  type StepSelection,
} from './workflows.read';
import { StepNotFoundError, WorkflowNotFoundError } from './workflows.errors';
import type { StepNode, WorkflowNode } from './workflows.types';

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

/** What to read of the steps a field returns: the asked-for columns, and the screenshot's if asked. */
export function stepSelection(info: Info, spec: ProjectionSpec<string> = STEP_PROJECTION): StepSelection {
  const fields = requestedFields(info);
  return {
    columns: projectColumns(fields, spec),
    screenshot: fields.has('screenshot')
      ? projectColumns(requestedFields(info, ['screenshot']), STEP_SCREENSHOT_PROJECTION)
      : null,
  };
}

export async function loadStep(ctx: Context, info: Info, id: string): Promise<StepNode> {
  const selection = stepSelection(info, STEP_BY_ID);
  const row = await ctx.loaders
    .named(`step:${stepSelectionKey(selection)}`, (reader) => stepLoader(reader, selection))
    .load(id);
  if (!row) throw new StepNotFoundError(id);
  return row;
}
