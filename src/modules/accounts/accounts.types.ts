import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { Role } from './role';

@ObjectType('User', { description: 'A person in a workspace', simpleResolvers: true })
export class UserNode {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field()
  displayName!: string;

  @Field(() => Role)
  role!: Role;

  /** Not a GraphQL field: used to resolve `workspace`. */
  workspaceId!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType('Workspace', {
  description: 'A household or a team: everything else belongs to one',
  simpleResolvers: true,
})
export class WorkspaceNode {
  @Field(() => ID)
  id!: string;

  /** Present once the row is read; `name` and `createdAt` are resolved (and read) on demand. */
  name?: string;

  createdAt?: Date;
}

export const UserConnection = connectionType(UserNode, 'User');

@ObjectType({ simpleResolvers: true })
export class AuthPayload {
  @Field({ description: 'Short-lived token for `Authorization: Bearer …`' })
  accessToken!: string;

  @Field({ description: 'Single-use token for `refreshSession`; each use returns a new one' })
  refreshToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field(() => UserNode)
  user!: UserNode;
}
