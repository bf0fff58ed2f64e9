import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError } from '../../common/errors';
import type { Viewer } from '../../context';
import { Role } from '../accounts/role';
import { User } from '../accounts/user.entity';
import { Screenshot } from './screenshot.entity';
import { Step } from './step.entity';
import type { StepInput, UpdateStepInput } from './steps.inputs';
import { assertEditable, lockWorkflow } from './workflow-access';
import type { Workflow } from './workflow.entity';
import { InvalidWorkflowError, ScreenshotNotFoundError, StepNotFoundError } from './workflows.errors';

/**
 * The steps of a workflow, numbered 1..n without gaps. Every change takes the workflow's row lock
 * first and reads the steps afresh under it, so two people reordering at once each see the other's
 * result; the unique (workflow, step number) constraint is checked at commit, so renumbering many
 * steps in one flush never trips over a number still in use.
 */
export class StepsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: () => Date,
  ) {}

  /** Adds a step at `position` (1 to n + 1; the end when left out); the steps from there move down. */
  add(viewer: Viewer, workflowId: string, input: StepInput, position: number | null | undefined): Promise<string> {
    return this.em.transactional(async (em) => {
      const workflow = await lockWorkflow(em, workflowId);
      assertEditable(workflow);
      const steps = await orderedSteps(em, workflow.id);
      const at = position ?? steps.length + 1;
      checkPosition(at, steps.length + 1);
      const screenshots = await findScreenshots(em, [input.screenshotId]);
      const step = buildStep(em, viewer, workflow, input, at, screenshots, this.clock());
      steps.splice(at - 1, 0, step);
      renumber(steps);
      workflow.updatedAt = this.clock();
      await em.flush();
      return step.id;
    });
  }

  async update(viewer: Viewer, input: UpdateStepInput): Promise<string> {
    const editsText = input.label !== undefined || input.instruction !== undefined;
    if (editsText && viewer.role !== Role.ADMIN) {
      throw new ForbiddenError("Only workspace admins can edit a step's label and instruction");
    }
    return this.em.transactional(async (em) => {
      const found = await findStep(em, input.id);
      assertEditable(await lockWorkflow(em, found.workflow.id));
      const step = await findStep(em, input.id, true);
      const now = this.clock();
      const required = <K extends 'action' | 'selectors' | 'elementMeta' | 'pageContext'>(key: K) => {
        const value = input[key];
        if (value === null) throw new InvalidWorkflowError(`${key} cannot be null`);
        if (value !== undefined) (step as Pick<Step, K>)[key] = value as Step[K];
      };
      required('action');
      required('selectors');
      required('elementMeta');
      required('pageContext');
      if (input.actionData !== undefined) step.actionData = input.actionData;
      if (input.domContext !== undefined) step.domContext = input.domContext;
      if (input.screenshotId !== undefined) {
        step.screenshot =
          input.screenshotId === null
            ? null
            : (await findScreenshots(em, [input.screenshotId])).get(input.screenshotId);
      }
      if (input.label !== undefined) {
        step.label = input.label?.trim() || null;
        step.labelEdited = true;
      }
      if (input.instruction !== undefined) {
        step.instruction = input.instruction?.trim() || null;
        step.instructionEdited = true;
      }
      if (editsText) {
        step.editedBy = em.getReference(User, viewer.id);
        step.editedAt = now;
      }
      step.updatedAt = now;
      await em.flush();
      return step.id;
    });
  }

  /** Moves a step to `position` (1 to n); the steps in between shift by one. */
  move(id: string, position: number): Promise<string> {
    return this.em.transactional(async (em) => {
      const found = await findStep(em, id);
      const workflow = await lockWorkflow(em, found.workflow.id);
      assertEditable(workflow);
      const steps = await orderedSteps(em, workflow.id);
      const from = steps.findIndex((s) => s.id === id);
      if (from < 0) throw new StepNotFoundError(id);
      checkPosition(position, steps.length);
      const [step] = steps.splice(from, 1);
      steps.splice(position - 1, 0, step!);
      renumber(steps);
      workflow.updatedAt = this.clock();
      await em.flush();
      return id;
    });
  }

  /** Deletes a step; the steps after it move up one. Its runs keep their log, without the step. */
  delete(id: string): Promise<boolean> {
    return this.em.transactional(async (em) => {
      const found = await findStep(em, id);
      const workflow = await lockWorkflow(em, found.workflow.id);
      assertEditable(workflow);
      const steps = await orderedSteps(em, workflow.id);
      const index = steps.findIndex((s) => s.id === id);
      if (index < 0) throw new StepNotFoundError(id);
      const [step] = steps.splice(index, 1);
      em.remove(step!);
      renumber(steps);
      workflow.updatedAt = this.clock();
      await em.flush();
      return true;
    });
  }
}

/** A new step (in the unit of work) from its input; `screenshots` holds the ones it may refer to. */
export function buildStep(
  em: EntityManager,
  viewer: Viewer,
  workflow: Workflow,
  input: StepInput,
  stepNumber: number,
  screenshots: Map<string, Screenshot>,
  now: Date,
): Step {
  const ai = input.ai ?? null;
  return em.create(Step, {
    workspace: viewer.workspaceId,
    workflow,
    screenshot: input.screenshotId ? screenshots.get(input.screenshotId) : null,
    stepNumber,
    action: input.action,
    selectors: input.selectors,
    elementMeta: input.elementMeta ?? {},
    pageContext: input.pageContext ?? {},
    actionData: input.actionData ?? null,
    domContext: input.domContext ?? null,
    recordedAt: input.recordedAt ?? null,
    label: ai?.label?.trim() || null,
    instruction: ai?.instruction?.trim() || null,
    aiConfidence: ai?.confidence ?? null,
    aiModel: ai?.model ?? null,
    aiGeneratedAt: ai ? now : null,
  });
}

/** The workspace's screenshots with these ids (one query); NOT_FOUND if any is missing. */
export async function findScreenshots(
  em: EntityManager,
  ids: Array<string | null | undefined>,
): Promise<Map<string, Screenshot>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const found = await em.find(Screenshot, { id: { $in: wanted } });
  const byId = new Map(found.map((s) => [s.id, s]));
  const missing = wanted.find((id) => !byId.has(id));
  if (missing) throw new ScreenshotNotFoundError(missing);
  return byId;
}

/** A step of the workspace; `fresh` reads it again (once its workflow is locked). */
async function findStep(em: EntityManager, id: string, fresh = false): Promise<Step> {
  const step = await em.findOne(Step, id, { refresh: fresh });
  if (!step) throw new StepNotFoundError(id);
  return step;
}

/** The workflow's steps in order, read afresh (call it once the workflow is locked). */
function orderedSteps(em: EntityManager, workflowId: string): Promise<Step[]> {
  return em.find(Step, { workflow: workflowId }, { orderBy: { stepNumber: 'asc', id: 'asc' }, refresh: true });
}

function renumber(steps: Step[]): void {
  steps.forEach((step, index) => {
    if (step.stepNumber !== index + 1) step.stepNumber = index + 1;
  });
}

function checkPosition(position: number, max: number): void {
  if (!Number.isInteger(position) || position < 1 || position > max) {
    throw new InvalidWorkflowError(`position must be between 1 and ${max}`);
  }
}
