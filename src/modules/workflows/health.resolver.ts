import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { requireAdmin, requireViewer, type Context } from '../../context';
import { UserNode } from '../accounts/accounts.types';
import { RecordWorkflowRunInput, WorkflowHealthSettingsInput } from './health.inputs';
import { HealthService } from './health.service';
import { loadStep, loadWorkflow } from './workflow-loaders';
import { WorkflowNotFoundError } from './workflows.errors';
import { HealthLogNode, StepNode, WorkflowHealthSettingsNode, WorkflowNode } from './workflows.types';

@Resolver(() => HealthLogNode)
export class HealthResolver {
  @Mutation(() => HealthLogNode, {
    description:
      "Logs a run and updates the workflow's health; too many failures make it BROKEN or NEEDS_REVIEW " +
      '(see workflowHealthSettings), which the admins are told once',
  })
  async recordWorkflowRun(
    @Arg('input', () => RecordWorkflowRunInput) input: RecordWorkflowRunInput,
    @Ctx() ctx: Context,
  ): Promise<HealthLogNode> {
    const viewer = requireViewer(ctx);
    const id = await health(ctx).recordRun(viewer, {
      ...input,
      workflowId: parseId(input.workflowId, 'workflowId'),
      failedStepId: input.failedStepId ? parseId(input.failedStepId, 'failedStepId') : null,
    });
    const log = await health(ctx).get(ctx.reader, id);
    if (!log) throw new WorkflowNotFoundError(input.workflowId);
    return log;
  }

  @Query(() => WorkflowHealthSettingsNode, {
    description: "When runs make the workspace's workflows BROKEN or NEEDS_REVIEW",
  })
  workflowHealthSettings(@Ctx() ctx: Context): Promise<WorkflowHealthSettingsNode> {
    return health(ctx).settings(requireViewer(ctx).workspaceId);
  }

  @Mutation(() => WorkflowHealthSettingsNode, { description: 'Changes the health thresholds (admins)' })
  updateWorkflowHealthSettings(
    @Arg('input', () => WorkflowHealthSettingsInput) input: WorkflowHealthSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<WorkflowHealthSettingsNode> {
    return health(ctx).updateSettings(requireAdmin(ctx), input, ctx.request);
  }

  @FieldResolver(() => WorkflowNode)
  workflow(@Root() log: HealthLogNode, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<WorkflowNode> {
    return loadWorkflow(ctx, info, log.workflowId);
  }

  @FieldResolver(() => StepNode, { nullable: true, description: 'The step that failed or was healed' })
  step(
    @Root() log: HealthLogNode,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<StepNode | null> | null {
    return log.stepId ? loadStep(ctx, info, log.stepId) : null;
  }

  @FieldResolver(() => UserNode, { nullable: true, description: 'Who recorded the run (null once removed)' })
  ranBy(@Root() log: HealthLogNode, @Ctx() ctx: Context): Promise<UserNode | null> | null {
    return log.userId ? ctx.loaders.user.load(log.userId) : null;
  }
}

function health(ctx: Context): HealthService {
  return new HealthService(ctx.em, ctx.app.pubSub, ctx.app.clock);
}
