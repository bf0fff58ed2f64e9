import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowStatus } from './workflow.enums';
import { Workflow } from './workflow.entity';
import { InvalidWorkflowError, WorkflowNotFoundError } from './workflows.errors';

/**
 * The workflow, locked for the rest of the caller's transaction: changes to one workflow (its steps'
 * order, its health) happen one at a time. The tenant filter keeps other workspaces' workflows out.
 */
export async function lockWorkflow(em: EntityManager, id: string): Promise<Workflow> {
  const workflow = await em.findOne(Workflow, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!workflow) throw new WorkflowNotFoundError(id);
  return workflow;
}

/** Archived workflows are kept as they are until restored. */
export function assertEditable(workflow: Workflow): void {
  if (workflow.status === WorkflowStatus.ARCHIVED) {
    throw new InvalidWorkflowError(`Workflow ${workflow.id} is archived: restore it (status DRAFT) to change it`);
  }
}
