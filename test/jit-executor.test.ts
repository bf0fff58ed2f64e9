import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { JitExecutorCache } from '../src/common/jit-executor';
import { NotFoundError } from '../src/common/errors';
import { getSchema } from '../src/schema';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: GraphQLString } },
        resolve: (_r, a: { name?: string }) => `hi ${a.name ?? 'you'}`,
      },
      viewer: { type: GraphQLString, resolve: (_r, _a, ctx: { viewer: string }) => ctx.viewer },
      missing: {
        type: GraphQLString,
        resolve: () => {
          throw new NotFoundError('Thing', 'x');
        },
      },
    },
  }),
});

function request(query: string, variables: Record<string, unknown> = {}, context: object = { viewer: 'ann' }) {
  return {
    queryHash: query,
    operationName: null,
    document: parse(query),
    request: { query, variables },
    context,
  } as unknown as GatewayGraphQLRequestContext;
}

describe('graphql-jit executor', () => {
  it('compiles each document once and reuses it with new variables and context', async () => {
    const cache = new JitExecutorCache(schema);
    const q = 'query($n: String) { hello(name: $n) viewer }';
    expect(await cache.execute(request(q, { n: 'a' }))).toEqual({ data: { hello: 'hi a', viewer: 'ann' } });
    expect(await cache.execute(request(q, { n: 'b' }, { viewer: 'bob' }))).toEqual({
      data: { hello: 'hi b', viewer: 'bob' },
    });
    expect(cache.size).toBe(1);
    await cache.execute(request('{ hello }'));
    expect(cache.size).toBe(2);
  });

  it('reports resolver errors as graphql-js GraphQLErrors that keep the thrown error', async () => {
    const cache = new JitExecutorCache(schema);
    const result = await cache.execute(request('{ hello missing }'));
    expect(result.data).toEqual({ hello: 'hi you', missing: null });
    const [error] = result.errors ?? [];
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).originalError).toBeInstanceOf(NotFoundError);
    expect((error as GraphQLError).path).toEqual(['missing']);
    expect((error as GraphQLError).extensions).toEqual({});
  });

  it('evicts the least recently used document past its capacity', async () => {
    const cache = new JitExecutorCache(schema);
    for (let i = 0; i < 1005; i += 1) await cache.execute(request(`{ a${i}: hello }`));
    expect(cache.size).toBe(1000);
  });
});

describe('the application schema', () => {
  it('leaves plain fields without resolvers, so graphql-jit reads them inline', () => {
    const schema = getSchema();
    const field = (type: string, name: string) => (schema.getType(type) as GraphQLObjectType).getFields()[name];
    for (const [type, name] of [
      ['User', 'email'],
      ['Notification', 'title'],
      ['UserEdge', 'node'],
      ['UserConnection', 'edges'],
      ['PageInfo', 'endCursor'],
    ] as const) {
      expect(field(type, name)?.resolve).toBeUndefined();
    }
    // fields computed by resolvers keep theirs
    expect(field('Workspace', 'members')?.resolve).toBeDefined();
    expect(field('UserConnection', 'totalCount')?.resolve).toBeDefined();
  });
});

describe('input defaults', () => {
  // graphql-jit does not fill in defaults of input object fields given through variables, so the
  // schema has none: defaults are applied by the services.
  it('has no default values on input object fields', () => {
    const schema = getSchema();
    const withDefaults = Object.values(schema.getTypeMap())
      .filter(
        (type): type is GraphQLInputObjectType => type instanceof GraphQLInputObjectType && !type.name.startsWith('__'),
      )
      .flatMap((type) =>
        Object.values(type.getFields())
          .filter((f) => f.defaultValue !== undefined)
          .map((f) => `${type.name}.${f.name}`),
      );
    expect(withDefaults).toEqual([]);
  });
});
