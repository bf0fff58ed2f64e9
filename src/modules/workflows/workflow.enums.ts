import { registerEnumType } from 'type-graphql';

/** Where a workflow is in its life: recorded, labelled, in use, in trouble, or put away. */
export enum WorkflowStatus {
  DRAFT = 'DRAFT',
  PROCESSING = 'PROCESSING',
  ACTIVE = 'ACTIVE',
  NEEDS_REVIEW = 'NEEDS_REVIEW',
  BROKEN = 'BROKEN',
  ARCHIVED = 'ARCHIVED',
}

/** How one run of a workflow went; a HEALED run succeeded after repairing a step's selectors. */
export enum RunStatus {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
  HEALED = 'HEALED',
}

/** The browser action a recorded step replays. */
export enum StepAction {
  CLICK = 'CLICK',
  INPUT_COMMIT = 'INPUT_COMMIT',
  SELECT_CHANGE = 'SELECT_CHANGE',
  SUBMIT = 'SUBMIT',
  NAVIGATE = 'NAVIGATE',
}

/** The image formats a screenshot may have. */
export enum ScreenshotFormat {
  PNG = 'png',
  JPEG = 'jpeg',
  WEBP = 'webp',
  GIF = 'gif',
}

registerEnumType(WorkflowStatus, {
  name: 'WorkflowStatus',
  description: 'DRAFT → PROCESSING → ACTIVE ⇄ NEEDS_REVIEW → BROKEN; any → ARCHIVED',
});
registerEnumType(RunStatus, { name: 'RunStatus' });
registerEnumType(StepAction, { name: 'StepAction' });
