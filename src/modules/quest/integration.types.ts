import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { IntegrationStatus, QuestProvider } from './quest.enums';

@ObjectType('Integration', {
  simpleResolvers: true,
  description:
    "The viewer's connection to GitHub or Fitbit. Its tokens and webhook secret are stored encrypted and never returned.",
})
export class IntegrationNode {
  @Field(() => ID)
  id!: string;

  @Field(() => QuestProvider)
  provider!: QuestProvider;

  @Field(() => IntegrationStatus)
  status!: IntegrationStatus;

  @Field(() => String, { nullable: true, description: 'The account id at the provider' })
  accountId!: string | null;

  @Field(() => String, { nullable: true, description: 'GitHub login or Fitbit display name' })
  accountName!: string | null;

  @Field(() => [String], { description: 'Scopes the provider granted' })
  scopes!: string[];

  @Field(() => Date, { nullable: true, description: 'When the access token expires (it is refreshed before)' })
  tokenExpiresAt!: Date | null;

  @Field({ description: 'GitHub: whether a webhook secret was created' })
  webhookSecretSet!: boolean;

  @Field(() => Date, { nullable: true })
  connectedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastSyncedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  nextSyncAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const IntegrationConnection = connectionType(IntegrationNode);

@ObjectType('IntegrationAuthorization', { simpleResolvers: true })
export class IntegrationAuthorizationNode {
  @Field({
    description:
      'Open in the browser: it leads to the provider, which sends the browser back to the callback. Works once, until expiresAt.',
  })
  authorizationUrl!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => IntegrationNode)
  integration!: IntegrationNode;
}

@ObjectType('GithubWebhookSetup', {
  simpleResolvers: true,
  description: 'What to enter in GitHub (repository → Settings → Webhooks). The secret is shown only this once.',
})
export class GithubWebhookSetupNode {
  @Field()
  payloadUrl!: string;

  @Field()
  contentType!: string;

  @Field()
  secret!: string;

  @Field(() => [String], { description: 'Events to select ("Let me select individual events")' })
  events!: string[];

  @Field(() => IntegrationNode)
  integration!: IntegrationNode;
}

@ObjectType('IntegrationSyncResult', { simpleResolvers: true })
export class IntegrationSyncResultNode {
  @Field(() => Int, { description: 'Days read' })
  days!: number;

  @Field(() => Int, { description: 'Quest events stored or changed' })
  events!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => IntegrationNode)
  integration!: IntegrationNode;
}
