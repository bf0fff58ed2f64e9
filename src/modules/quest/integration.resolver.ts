import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseId } from '../../common/ids';
import { PageArgs, type Connection } from '../../common/pagination';
import { requireViewer, type Context } from '../../context';
import {
  GithubWebhookSetupNode,
  IntegrationAuthorizationNode,
  IntegrationConnection,
  IntegrationNode,
  IntegrationSyncResultNode,
} from './integration.types';
import type { IntegrationRow } from './integrations.read';
import { IntegrationsService, webhookUrl } from './integrations.service';
import { QuestProvider } from './quest.enums';

@Resolver(() => IntegrationNode)
export class IntegrationResolver {
  @Query(() => IntegrationConnection, { description: "The viewer's GitHub and Fitbit integrations" })
  integrations(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<IntegrationRow>> {
    return integrations(ctx).list(ctx.reader, requireViewer(ctx), page);
  }

  @Query(() => IntegrationNode)
  integration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<IntegrationRow> {
    return integrations(ctx).getOrFail(ctx.reader, requireViewer(ctx), parseId(id));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'GitHub: the payload URL for repository webhooks (createGithubWebhookSecret gives the secret)',
  })
  webhookUrl(@Root() integration: IntegrationRow, @Ctx() ctx: Context): string | null {
    return integration.provider === QuestProvider.GITHUB ? webhookUrl(ctx.request.baseUrl, integration.id) : null;
  }

  @Mutation(() => IntegrationAuthorizationNode, {
    description: 'Starts connecting GitHub or Fitbit (OAuth 2): open authorizationUrl in the browser',
  })
  connectIntegration(
    @Arg('provider', () => QuestProvider) provider: QuestProvider,
    @Ctx() ctx: Context,
  ): Promise<IntegrationAuthorizationNode> {
    return integrations(ctx).connect(ctx.reader, requireViewer(ctx), provider, ctx.request);
  }

  @Mutation(() => IntegrationNode, {
    description: 'Revokes the grant at the provider and deletes the tokens; its events stay',
  })
  disconnectIntegration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<IntegrationRow> {
    return integrations(ctx).disconnect(ctx.reader, requireViewer(ctx), parseId(id), ctx.request);
  }

  @Mutation(() => GithubWebhookSetupNode, {
    description: 'A new webhook secret for a GitHub integration, shown once; the previous one stops working',
  })
  createGithubWebhookSecret(
    @Arg('integrationId', () => ID) integrationId: string,
    @Ctx() ctx: Context,
  ): Promise<GithubWebhookSetupNode> {
    return integrations(ctx).createWebhookSecret(
      ctx.reader,
      requireViewer(ctx),
      parseId(integrationId, 'integrationId'),
      ctx.request,
    );
  }

  @Mutation(() => IntegrationSyncResultNode, { description: 'Syncs a Fitbit integration now' })
  syncIntegration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<IntegrationSyncResultNode> {
    return integrations(ctx).syncNow(ctx.reader, requireViewer(ctx), parseId(id));
  }
}

function integrations(ctx: Context): IntegrationsService {
  return new IntegrationsService(ctx.app, ctx.em);
}
