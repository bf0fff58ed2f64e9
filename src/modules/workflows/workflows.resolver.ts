import { filter, pipe } from '@graphql-yoga/subscription';
import type { GraphQLResolveInfo } from 'graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { BadUserInputError } from '../../common/errors';
import { Connection, MAX_PAGE_SIZE, PageArgs } from '../../common/pagination';
import { projectColumns, projectionKey, requestedFields } from '../../common/projection';
import { Topic, type WorkflowHealthChangedPayload } from '../../common/pubsub';
import { createContext, requireAdmin, requireViewer, type Context } from '../../context';
import { UserNode } from '../accounts/accounts.types';
import { HealthLogFilter } from './health.inputs';
import { HealthService } from './health.service';
import { ScreenshotsService } from './screenshots.service';
import { stepSelection } from './workflow-loaders';
import { WorkflowStatus } from './workflow.enums';
import { WorkflowNotFoundError } from './workflows.errors';
import { CreateWorkflowInput, UpdateWorkflowInput, WorkflowFilter, WorkflowOrder } from './workflows.inputs';
import {
  firstScreenshotsLoader,
  HEALTH_LOG_PROJECTION,
  healthLogCountLoader,
  latestHealthLogsLoader,
  SCREENSHOT_PROJECTION,
  screenshotCountLoader,
  stepSelectionKey,
  stepsByWorkflowLoader,
  toHealthNode,
} from './workflows.read';
import { WorkflowsService } from './workflows.service';
import {
  HealthLogConnection,
  type HealthLogNode,
  ScreenshotConnection,
  type ScreenshotNode,
  StepNode,
  WorkflowConnection,
  WorkflowHealthChangedNode,
  WorkflowHealthNode,
  WorkflowNode,
} from './workflows.types';

@Resolver(() => WorkflowNode)
export class WorkflowsResolver {
  @Query(() => WorkflowNode)
  async workflow(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WorkflowNode> {
    requireViewer(ctx);
    return readWorkflow(ctx, parseId(id));
  }

  @Query(() => WorkflowConnection, { description: "The workspace's workflows (newest first unless ordered)" })
  workflows(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => WorkflowFilter, { nullable: true }) workflowFilter: WorkflowFilter | null,
    @Arg('orderBy', () => WorkflowOrder, { nullable: true }) orderBy: WorkflowOrder | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<WorkflowNode>> {
    requireViewer(ctx);
    const requested = requestedFields(info, ['edges', 'node']);
    return new WorkflowsService(ctx).list(ctx.reader, page, workflowFilter, orderBy, requested);
  }

  @Mutation(() => WorkflowNode, { description: 'Records a workflow (as a DRAFT), with its steps if given' })
  async createWorkflow(
    @Arg('input', () => CreateWorkflowInput) input: CreateWorkflowInput,
    @Ctx() ctx: Context,
  ): Promise<WorkflowNode> {
    const viewer = requireViewer(ctx);
    const steps = input.steps?.map((s) => ({
      ...s,
      screenshotId: s.screenshotId ? parseId(s.screenshotId, 'screenshotId') : null,
    }));
    const id = await new WorkflowsService(ctx).create(viewer, { ...input, steps });
    return readWorkflow(ctx, id);
  }

  @Mutation(() => WorkflowNode)
  async updateWorkflow(
    @Arg('input', () => UpdateWorkflowInput) input: UpdateWorkflowInput,
    @Ctx() ctx: Context,
  ): Promise<WorkflowNode> {
    requireViewer(ctx);
    const id = await new WorkflowsService(ctx).update({ ...input, id: parseId(input.id) });
    return readWorkflow(ctx, id);
  }

  @Mutation(() => WorkflowNode, {
    description:
      'DRAFT → PROCESSING → ACTIVE ⇄ NEEDS_REVIEW → BROKEN (a repaired one becomes ACTIVE again), ' +
      'PROCESSING → DRAFT, any → ARCHIVED, ARCHIVED → DRAFT; anything else is refused. ' +
      'Becoming ACTIVE starts the health count afresh.',
  })
  async setWorkflowStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => WorkflowStatus) status: WorkflowStatus,
    @Ctx() ctx: Context,
  ): Promise<WorkflowNode> {
    const viewer = requireViewer(ctx);
    const workflowId = await new WorkflowsService(ctx).setStatus(viewer, parseId(id), status);
    return readWorkflow(ctx, workflowId);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a workflow with its steps, runs, screenshots and notifications (admins)',
  })
  deleteWorkflow(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return new WorkflowsService(ctx).delete(requireAdmin(ctx), parseId(id));
  }

  @FieldResolver(() => WorkflowHealthNode)
  health(@Root() workflow: WorkflowNode): WorkflowHealthNode {
    return toHealthNode(workflow);
  }

  @FieldResolver(() => UserNode, { nullable: true, description: 'Who recorded it (null once removed)' })
  createdBy(@Root() workflow: WorkflowNode, @Ctx() ctx: Context): Promise<UserNode | null> | null {
    return workflow.createdById ? ctx.loaders.user.load(workflow.createdById) : null;
  }

  @FieldResolver(() => [StepNode], { description: 'In order (stepNumber 1..n)' })
  steps(@Root() workflow: WorkflowNode, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<StepNode[]> {
    // Only the asked-for columns (and screenshots), for every workflow of the list in one query.
    const selection = stepSelection(info);
    return ctx.loaders
      .named(`steps:${stepSelectionKey(selection)}`, (reader) => stepsByWorkflowLoader(reader, selection))
      .load(workflow.id);
  }

  @FieldResolver(() => HealthLogConnection, { description: 'Its runs, newest first' })
  async healthLogs(
    @Root() workflow: WorkflowNode,
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => HealthLogFilter, { nullable: true }) logFilter: HealthLogFilter | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<HealthLogNode>> {
    const status = logFilter?.status ?? null;
    const health = new HealthService(ctx.em, ctx.app.pubSub, ctx.app.clock);
    if (page.after) return health.list(ctx.reader, workflow.id, status, page.first, page.after);
    // The first page of many workflows at once: one query for all of them.
    const first = checkedFirst(page.first);
    const columns = projectColumns(requestedFields(info, ['edges', 'node']), HEALTH_LOG_PROJECTION);
    const rows = await ctx.loaders
      .named(`healthLogs:${first}:${status ?? ''}:${projectionKey(columns)}`, (reader) =>
        latestHealthLogsLoader(reader, first, status, columns),
      )
      .load(workflow.id);
    const counts = ctx.loaders.named(`healthLogCount:${status ?? ''}`, (reader) =>
      healthLogCountLoader(reader, status),
    );
    return Connection.of(
      rows.slice(0, first),
      rows.length > first,
      (n) => [n.createdAt, n.id],
      () => counts.load(workflow.id),
    );
  }

  @FieldResolver(() => ScreenshotConnection, { description: 'Screenshots uploaded for it, oldest first' })
  async screenshots(
    @Root() workflow: WorkflowNode,
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<ScreenshotNode>> {
    if (page.after) {
      const service = new ScreenshotsService(ctx.em, ctx.app.screenshots, ctx.app.clock);
      return service.list(ctx.reader, workflow.id, page.first, page.after);
    }
    const first = checkedFirst(page.first);
    const columns = projectColumns(requestedFields(info, ['edges', 'node']), {
      ...SCREENSHOT_PROJECTION,
      always: ['id', 'createdAt', 'workflowId'],
    });
    const rows = await ctx.loaders
      .named(`screenshots:${first}:${projectionKey(columns)}`, (reader) =>
        firstScreenshotsLoader(reader, first, columns),
      )
      .load(workflow.id);
    const counts = ctx.loaders.named('screenshotCount', screenshotCountLoader);
    return Connection.of(
      rows.slice(0, first),
      rows.length > first,
      (n) => [n.createdAt, n.id],
      () => counts.load(workflow.id),
    );
  }

  @Subscription(() => WorkflowHealthChangedNode, {
    description: 'Each run recorded for the workflow, and each change of its status',
    subscribe: async ({ context, args }: SubscribeResolverData<unknown, { workflowId: string }, Context>) => {
      const viewer = requireViewer(context);
      const id = parseId(args.workflowId, 'workflowId');
      if (!(await new WorkflowsService(context).get(context.reader, id))) throw new WorkflowNotFoundError(id);
      return pipe(
        context.app.pubSub.subscribe(Topic.WorkflowHealthChanged),
        filter((p: WorkflowHealthChangedPayload) => p.workspaceId === viewer.workspaceId && p.workflowId === id),
      );
    },
  })
  async workflowHealthChanged(
    @Root() payload: WorkflowHealthChangedPayload,
    @Arg('workflowId', () => ID) _workflowId: string,
    @Ctx() ctx: Context,
  ): Promise<WorkflowHealthChangedNode> {
    // Each event is read with a context of its own, so no cache outlives the event.
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    const workflow = await readWorkflow(eventCtx, payload.workflowId);
    const run = payload.healthLogId
      ? ((await new HealthService(eventCtx.em, ctx.app.pubSub, ctx.app.clock).get(
          eventCtx.reader,
          payload.healthLogId,
        )) ?? null)
      : null;
    return { workflow, run, previousStatus: payload.previousStatus as WorkflowStatus };
  }
}

export async function readWorkflow(ctx: Context, id: string): Promise<WorkflowNode> {
  const workflow = await new WorkflowsService(ctx).get(ctx.reader, id);
  if (!workflow) throw new WorkflowNotFoundError(id);
  return workflow;
}

/** `paginate` checks the page size itself; the batched first page checks it here. */
function checkedFirst(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}
