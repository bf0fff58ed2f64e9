import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { requireAdmin, requireViewer, type Context } from '../../context';
import { ScreenshotsService } from './screenshots.service';
import { loadWorkflow } from './workflow-loaders';
import { ScreenshotNotFoundError } from './workflows.errors';
import { ScreenshotNode, WorkflowNode } from './workflows.types';

@Resolver(() => ScreenshotNode)
export class ScreenshotsResolver {
  @Query(() => ScreenshotNode)
  async screenshot(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ScreenshotNode> {
    requireViewer(ctx);
    const screenshot = await screenshots(ctx).get(ctx.reader, parseId(id));
    if (!screenshot) throw new ScreenshotNotFoundError(id);
    return screenshot;
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a screenshot; the steps that showed it keep no screenshot (admins)',
  })
  deleteScreenshot(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return screenshots(ctx).delete(requireAdmin(ctx), parseId(id), ctx.request);
  }

  @FieldResolver(() => String, {
    description: 'A signed address of the image, valid for a few minutes (SCREENSHOT_URL_TTL_SECONDS)',
  })
  url(@Root() screenshot: ScreenshotNode, @Ctx() ctx: Context): string {
    return ctx.app.screenshots.urls.url(ctx.request.baseUrl, screenshot.id);
  }

  @FieldResolver(() => WorkflowNode, { description: 'The workflow it was first uploaded for' })
  workflow(
    @Root() screenshot: ScreenshotNode,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<WorkflowNode> {
    return loadWorkflow(ctx, info, screenshot.workflowId);
  }
}

function screenshots(ctx: Context): ScreenshotsService {
  return new ScreenshotsService(ctx.em, ctx.app.screenshots, ctx.app.clock);
}
