import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireViewer, type Context } from '../../context';
import { AiMemoryService } from './ai-memory.service';
import { AiMemoryConnection, AiMemoryFilter, AiMemoryNode } from './ai-memory.types';
import { AiMemoryNotFoundError } from './assistant.errors';

@Resolver(() => AiMemoryNode)
export class AiMemoryResolver {
  @Query(() => AiMemoryConnection, { description: "The viewer's AI memories, by key" })
  aiMemories(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => AiMemoryFilter, { nullable: true }) memoryFilter: AiMemoryFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<AiMemoryNode>> {
    return new AiMemoryService(ctx.em).list(ctx.reader, requireViewer(ctx), page, memoryFilter);
  }

  @Mutation(() => AiMemoryNode, {
    description: 'Creates the memory under this key, or replaces its value and category',
  })
  async setAiMemory(
    @Arg('key') key: string,
    @Arg('value') value: string,
    @Arg('category', () => String, { nullable: true }) category: string | null,
    @Ctx() ctx: Context,
  ): Promise<AiMemoryNode> {
    const viewer = requireViewer(ctx);
    const service = new AiMemoryService(ctx.em);
    const stored = await service.set(viewer, key, value, category);
    const memory = await service.get(ctx.reader, viewer, stored);
    if (!memory) throw new AiMemoryNotFoundError(stored);
    return memory;
  }

  @Mutation(() => Boolean)
  deleteAiMemory(@Arg('key') key: string, @Ctx() ctx: Context): Promise<boolean> {
    return new AiMemoryService(ctx.em).delete(requireViewer(ctx), key);
  }
}
