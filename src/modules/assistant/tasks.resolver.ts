import { filter, pipe } from '@graphql-yoga/subscription';
import type { GraphQLResolveInfo } from 'graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { parseId } from '../../common/ids';
import { Connection, PageArgs } from '../../common/pagination';
import { projectColumns, projectionKey, requestedFields, type ProjectionSpec } from '../../common/projection';
import { Topic, type TaskExecutionUpdatedPayload } from '../../common/pubsub';
import { createContext, requireViewer, type Context, type Viewer } from '../../context';
import { TaskExecutionNotFoundError, TaskNotFoundError } from './assistant.errors';
import type { TaskExecutionStatus, TaskRunKind } from './assistant.enums';
import { CreateTaskInput, TaskFilter, UpdateTaskInput } from './tasks.inputs';
import {
  EXECUTION_COLUMNS,
  executionCountLoader,
  executionOutputLoader,
  latestExecutionsLoader,
  ownExecutions,
  selectTask,
  taskActionLoader,
  toTaskActionNode,
} from './tasks.read';
import { TasksService } from './tasks.service';
import { TaskActionNode, TaskConnection, TaskExecutionConnection, TaskExecutionNode, TaskNode } from './tasks.types';

@Resolver(() => TaskNode)
export class TasksResolver {
  @Query(() => TaskConnection, { description: "The viewer's tasks, by name" })
  tasks(
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Arg('filter', () => TaskFilter, { nullable: true }) taskFilter: TaskFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<TaskNode>> {
    return service(ctx).list(ctx.reader, requireViewer(ctx), page, taskFilter);
  }

  @Query(() => TaskNode)
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TaskNode> {
    return readTask(ctx, requireViewer(ctx), parseId(id));
  }

  @Mutation(() => TaskNode)
  async createTask(
    @Arg('input', () => CreateTaskInput) input: CreateTaskInput,
    @Ctx() ctx: Context,
  ): Promise<TaskNode> {
    const viewer = requireViewer(ctx);
    const task = await service(ctx).create(viewer, input);
    return readTask(ctx, viewer, task.id);
  }

  @Mutation(() => TaskNode)
  async updateTask(
    @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput,
    @Ctx() ctx: Context,
  ): Promise<TaskNode> {
    const viewer = requireViewer(ctx);
    const task = await service(ctx).update(viewer, { ...input, id: parseId(input.id) });
    return readTask(ctx, viewer, task.id);
  }

  @Mutation(() => Boolean, { description: 'Deletes a task with its executions' })
  deleteTask(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return service(ctx).delete(requireViewer(ctx), parseId(id));
  }

  @Mutation(() => TaskNode, { description: 'Disabling also skips its runs waiting to start' })
  async setTaskEnabled(
    @Arg('id', () => ID) id: string,
    @Arg('enabled') enabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<TaskNode> {
    const viewer = requireViewer(ctx);
    const task = await service(ctx).setEnabled(viewer, parseId(id), enabled);
    return readTask(ctx, viewer, task.id);
  }

  @Mutation(() => TaskExecutionNode, {
    description: 'Runs the task now (SKIPPED while a run of it is still going); follow it with taskExecutionUpdated',
  })
  async runTaskNow(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TaskExecutionNode> {
    const viewer = requireViewer(ctx);
    const executionId = await service(ctx).runNow(viewer, parseId(id));
    const execution = await ownExecutions(ctx.reader, viewer.id)
      .where('task_executions.id', '=', executionId)
      .executeTakeFirst();
    if (!execution) throw new TaskExecutionNotFoundError(executionId);
    return execution as TaskExecutionNode;
  }

  @FieldResolver(() => TaskActionNode)
  async action(@Root() task: TaskNode, @Ctx() ctx: Context): Promise<TaskActionNode> {
    const row = await ctx.loaders.named('taskAction', taskActionLoader).load(task.id);
    if (!row) throw new TaskNotFoundError(task.id);
    return toTaskActionNode(row.action);
  }

  @FieldResolver(() => TaskExecutionConnection, { description: 'Newest first' })
  async executions(
    @Root() task: TaskNode,
    @Args(() => PageArgs, { validate: false }) page: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<TaskExecutionNode>> {
    if (page.after) return service(ctx).executions(ctx.reader, task.id, page.first, page.after);
    // The first page of many tasks at once: one query for all of them, of the asked-for columns.
    const first = Math.max(0, Math.min(page.first, 100));
    const columns = projectColumns(requestedFields(info, ['edges', 'node']), EXECUTION_PROJECTION);
    const rows = await ctx.loaders
      .named(`taskExecutions:${first}:${projectionKey(columns)}`, (reader) =>
        latestExecutionsLoader(reader, first, columns),
      )
      .load(task.id);
    const counts = ctx.loaders.named('taskExecutionCount', executionCountLoader);
    return Connection.of(
      rows.slice(0, first),
      rows.length > first,
      (n) => [n.createdAt, n.id],
      () => counts.load(task.id),
    );
  }
}

@Resolver(() => TaskExecutionNode)
export class TaskExecutionResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'What the run produced (capped at TASK_OUTPUT_MAX_BYTES)',
  })
  async output(@Root() execution: TaskExecutionNode, @Ctx() ctx: Context): Promise<string | null> {
    const loaders = execution.eventLoaders ?? ctx.loaders;
    const row = await loaders.named('taskExecutionOutput', executionOutputLoader).load(execution.id);
    return row?.output ?? null;
  }

  @FieldResolver(() => TaskNode)
  async task(@Root() execution: TaskExecutionNode, @Ctx() ctx: Context): Promise<TaskNode> {
    const viewer = requireViewer(ctx);
    const task = await (execution.eventLoaders ?? ctx.loaders)
      .named(`task:${viewer.id}`, (reader) =>
        reader.loader('tasks', (q) => selectTask(q).where('tasks.user_id', '=', viewer.id)),
      )
      .load(execution.taskId);
    if (!task) throw new TaskNotFoundError(execution.taskId);
    return task as TaskNode;
  }

  @Subscription(() => TaskExecutionNode, {
    description: "Every state change of the task's executions (PENDING, RUNNING, … with each retry)",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { taskId: string }, Context>) => {
      const viewer = requireViewer(context);
      const taskId = parseId(args.taskId, 'taskId');
      return pipe(
        context.app.pubSub.subscribe(Topic.TaskExecutionUpdated),
        filter(
          (p: TaskExecutionUpdatedPayload) =>
            p.taskId === taskId && p.userId === viewer.id && p.workspaceId === viewer.workspaceId,
        ),
      );
    },
  })
  taskExecutionUpdated(
    @Root() payload: TaskExecutionUpdatedPayload,
    @Arg('taskId', () => ID) _taskId: string,
    @Ctx() ctx: Context,
  ): TaskExecutionNode {
    // The state as it changed (not as read later: the next change may already be written).
    const e = payload.execution;
    return {
      id: e.id,
      status: e.status as TaskExecutionStatus,
      kind: e.kind as TaskRunKind,
      attempt: e.attempt,
      scheduledFor: e.scheduledFor as unknown as Date | null,
      startedAt: e.startedAt as unknown as Date | null,
      finishedAt: e.finishedAt as unknown as Date | null,
      durationMs: e.durationMs,
      error: e.error,
      nextAttemptAt: e.nextAttemptAt as unknown as Date | null,
      createdAt: e.createdAt as unknown as Date,
      taskId: payload.taskId,
      eventLoaders: createContext(ctx.app, ctx.viewer, ctx.request).loaders,
    };
  }
}

const EXECUTION_PROJECTION: ProjectionSpec<string> = {
  columns: EXECUTION_COLUMNS,
  needs: { task: ['taskId'] },
  always: ['id', 'createdAt', 'taskId'],
};

function service(ctx: Context): TasksService {
  return new TasksService(ctx.app, ctx.em);
}

async function readTask(ctx: Context, viewer: Viewer, id: string): Promise<TaskNode> {
  const task = await service(ctx).get(ctx.reader, viewer, id);
  if (!task) throw new TaskNotFoundError(id);
  return task;
}
