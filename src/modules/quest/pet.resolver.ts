import { filter, pipe } from '@graphql-yoga/subscription';
import type { SubscribeResolverData } from 'type-graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { Topic, type PetUpdatedPayload } from '../../common/pubsub';
import { createContext, requireViewer, type Context } from '../../context';
import { PetConnection, PetNode, PetStateNode, PetTraitsNode, type PetRow } from './pet.types';
import { petStateView } from './pets.read';
import { PetsService } from './pets.service';
import { CreatePetInput } from './quest.inputs';

@Resolver(() => PetNode)
export class PetResolver {
  @Query(() => PetConnection, { description: "The viewer's pets" })
  pets(@Args(() => PageArgs, { validate: false }) page: PageArgs, @Ctx() ctx: Context): Promise<Connection<PetRow>> {
    return pets(ctx).list(ctx.reader, requireViewer(ctx), page);
  }

  @Query(() => PetNode)
  pet(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PetRow> {
    return pets(ctx).getOrFail(ctx.reader, requireViewer(ctx), parseId(id));
  }

  @FieldResolver(() => PetStateNode, { description: 'Computed at the time of the request' })
  state(@Root() pet: PetRow, @Ctx() ctx: Context): PetStateNode {
    return petStateView(pet.stateJson, ctx.app.clock());
  }

  @FieldResolver(() => PetTraitsNode)
  traits(@Root() pet: PetRow): PetTraitsNode {
    return { color: pet.stateJson.traits.color };
  }

  @Mutation(() => PetNode, { description: 'A new pet: rested, fed, level 1' })
  createPet(@Arg('input', () => CreatePetInput) input: CreatePetInput, @Ctx() ctx: Context): Promise<PetRow> {
    return pets(ctx).create(requireViewer(ctx), input);
  }

  @Mutation(() => PetNode)
  renamePet(@Arg('id', () => ID) id: string, @Arg('name') name: string, @Ctx() ctx: Context): Promise<PetRow> {
    return pets(ctx).rename(requireViewer(ctx), parseId(id), name);
  }

  @Mutation(() => PetNode, { description: 'Less hungry, a little more energy' })
  feedPet(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PetRow> {
    return pets(ctx).feed(requireViewer(ctx), parseId(id));
  }

  @Mutation(() => PetNode, { description: 'More energy, a little hungrier' })
  restPet(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PetRow> {
    return pets(ctx).rest(requireViewer(ctx), parseId(id));
  }

  @Mutation(() => Boolean)
  deletePet(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return pets(ctx).delete(requireViewer(ctx), parseId(id));
  }

  @Subscription(() => PetNode, {
    description: "Each change of the viewer's pets (or of one): care, renames, XP and levels from activity and goals",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { id?: string | null }, Context>) => {
      const viewer = requireViewer(context);
      const id = args.id ? parseId(args.id) : null;
      return pipe(
        context.app.pubSub.subscribe(Topic.PetUpdated),
        filter(
          (p: PetUpdatedPayload) =>
            p.userId === viewer.id && p.workspaceId === viewer.workspaceId && (!id || p.petId === id),
        ),
      );
    },
  })
  async petUpdated(
    @Root() payload: PetUpdatedPayload,
    @Arg('id', () => ID, { nullable: true }) _id: string | null,
    @Ctx() ctx: Context,
  ): Promise<PetRow> {
    const eventCtx = createContext(ctx.app, ctx.viewer, ctx.request);
    return pets(eventCtx).getOrFail(eventCtx.reader, requireViewer(eventCtx), payload.petId);
  }
}

function pets(ctx: Context): PetsService {
  return new PetsService(ctx.app, ctx.em);
}
