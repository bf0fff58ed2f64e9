import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { requireViewer, type Context } from '../../context';
import { UserNode } from '../accounts/accounts.types';
import { StepInput, UpdateStepInput } from './steps.inputs';
import { StepsService } from './steps.service';
import { loadStep, loadWorkflow } from './workflow-loaders';
import { StepNode, WorkflowNode } from './workflows.types';

@Resolver(() => StepNode)
export class StepsResolver {
  @Mutation(() => StepNode, {
    description: 'Adds a step at position (1 to n + 1; the end when left out); the steps from there move down one',
  })
  async addStep(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('input', () => StepInput) input: StepInput,
    @Arg('position', () => Int, { nullable: true }) position: number | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<StepNode> {
    const viewer = requireViewer(ctx);
    const screenshotId = input.screenshotId ? parseId(input.screenshotId, 'screenshotId') : null;
    const id = await steps(ctx).add(viewer, parseId(workflowId, 'workflowId'), { ...input, screenshotId }, position);
    return loadStep(ctx, info, id);
  }

  @Mutation(() => StepNode, { description: 'Changes a step; its label and instruction only by admins' })
  async updateStep(
    @Arg('input', () => UpdateStepInput) input: UpdateStepInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<StepNode> {
    const viewer = requireViewer(ctx);
    const screenshotId = input.screenshotId ? parseId(input.screenshotId, 'screenshotId') : input.screenshotId;
    const id = await steps(ctx).update(viewer, { ...input, id: parseId(input.id), screenshotId });
    return loadStep(ctx, info, id);
  }

  @Mutation(() => StepNode, { description: 'Moves a step to position (1 to n); the steps in between shift by one' })
  async moveStep(
    @Arg('id', () => ID) id: string,
    @Arg('position', () => Int) position: number,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<StepNode> {
    requireViewer(ctx);
    return loadStep(ctx, info, await steps(ctx).move(parseId(id), position));
  }

  @Mutation(() => Boolean, { description: 'Deletes a step; the steps after it move up one' })
  deleteStep(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    requireViewer(ctx);
    return steps(ctx).delete(parseId(id));
  }

  @FieldResolver(() => WorkflowNode)
  workflow(@Root() step: StepNode, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<WorkflowNode> {
    return loadWorkflow(ctx, info, step.workflowId);
  }

  @FieldResolver(() => UserNode, { nullable: true, description: 'The admin who last edited the label or instruction' })
  editedBy(@Root() step: StepNode, @Ctx() ctx: Context): Promise<UserNode | null> | null {
    return step.editedById ? ctx.loaders.user.load(step.editedById) : null;
  }
}

function steps(ctx: Context): StepsService {
  return new StepsService(ctx.em, ctx.app.clock);
}
