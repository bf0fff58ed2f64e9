import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireViewer, type Context } from '../../context';
import { LogInInput, SignUpInput } from './accounts.inputs';
import { AuthPayload, UserNode } from './accounts.types';
import { AuthService } from './auth.service';

@Resolver()
export class AuthResolver {
  @Query(() => UserNode, { description: 'The signed-in user' })
  me(@Ctx() ctx: Context): UserNode {
    return requireViewer(ctx);
  }

  @Mutation(() => AuthPayload, {
    description: 'Create an account: a new workspace (as its admin) or, with an invite token, join one',
  })
  signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return new AuthService(ctx.app, ctx.request).signUp(input);
  }

  @Mutation(() => AuthPayload)
  logIn(@Arg('input', () => LogInInput) input: LogInInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return new AuthService(ctx.app, ctx.request).logIn(input);
  }

  @Mutation(() => AuthPayload, { description: 'New tokens for a refresh token, which stops working' })
  refreshSession(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return new AuthService(ctx.app, ctx.request).refresh(refreshToken);
  }

  @Mutation(() => Boolean, { description: 'Ends the current session: its tokens stop working' })
  logOut(@Ctx() ctx: Context): Promise<boolean> {
    return new AuthService(ctx.app, ctx.request).logOut(requireViewer(ctx));
  }
}
