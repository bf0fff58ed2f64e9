import { RunStatus, WorkflowStatus } from './workflow.enums';

const { DRAFT, PROCESSING, ACTIVE, NEEDS_REVIEW, BROKEN, ARCHIVED } = WorkflowStatus;

/**
 * The status changes a person may make: recorded (DRAFT), labelled (PROCESSING), in use (ACTIVE),
 * in trouble (NEEDS_REVIEW, BROKEN) — a repaired workflow is made ACTIVE again — and ARCHIVED from
 * anywhere; an archived workflow can be restored as a DRAFT.
 */
const TRANSITIONS: Record<WorkflowStatus, readonly WorkflowStatus[]> = {
  [DRAFT]: [PROCESSING, ARCHIVED],
  [PROCESSING]: [ACTIVE, DRAFT, ARCHIVED],
  [ACTIVE]: [NEEDS_REVIEW, BROKEN, ARCHIVED],
  [NEEDS_REVIEW]: [ACTIVE, BROKEN, ARCHIVED],
  [BROKEN]: [ACTIVE, NEEDS_REVIEW, ARCHIVED],
  [ARCHIVED]: [DRAFT],
};

export function allowedTransitions(from: WorkflowStatus): readonly WorkflowStatus[] {
  return TRANSITIONS[from];
}

export function canTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** When a workflow's runs make it NEEDS_REVIEW or BROKEN (kept per workspace in its settings). */
export interface HealthSettings {
  /** This many failed runs in a row make an ACTIVE or NEEDS_REVIEW workflow BROKEN. */
  brokenAfterFailures: number;
  /** The last this many runs are judged for NEEDS_REVIEW (fewer runs are not judged). */
  reviewWindowRuns: number;
  /** An ACTIVE workflow whose success rate over the window is below this (0 to 1) needs review. */
  reviewBelowSuccessRate: number;
}

export const DEFAULT_HEALTH_SETTINGS: Readonly<HealthSettings> = {
  brokenAfterFailures: 3,
  reviewWindowRuns: 10,
  reviewBelowSuccessRate: 0.7,
};

export const HEALTH_SETTING_LIMITS = {
  brokenAfterFailures: { min: 1, max: 1000 },
  reviewWindowRuns: { min: 1, max: 1000 },
  reviewBelowSuccessRate: { min: 0, max: 1 },
} as const satisfies Record<keyof HealthSettings, { min: number; max: number }>;

/** The settings stored in a workspace (any missing or unusable value takes its default). */
export function parseHealthSettings(stored: unknown): HealthSettings {
  const source = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const pick = (key: keyof HealthSettings, integer: boolean): number => {
    const value = source[key];
    const { min, max } = HEALTH_SETTING_LIMITS[key];
    const ok = typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value));
    return ok ? value : DEFAULT_HEALTH_SETTINGS[key];
  };
  return {
    brokenAfterFailures: pick('brokenAfterFailures', true),
    reviewWindowRuns: pick('reviewWindowRuns', true),
    reviewBelowSuccessRate: pick('reviewBelowSuccessRate', false),
  };
}

/** The statuses of the last runs in the review window, newest first. */
export interface RecentRuns {
  runs: number;
  /** SUCCESS and HEALED runs. */
  successes: number;
}

export function isSuccess(status: RunStatus): boolean {
  return status !== RunStatus.FAILURE;
}

/**
 * The status a workflow takes after a run. Only workflows in use change: too many failures in a
 * row break an ACTIVE or NEEDS_REVIEW workflow; a success rate below the threshold over a full
 * window puts an ACTIVE one up for review. Recovering is a person's decision (`setWorkflowStatus`).
 */
export function statusAfterRun(
  status: WorkflowStatus,
  consecutiveFailures: number,
  recent: RecentRuns,
  settings: HealthSettings,
): WorkflowStatus {
  if (status !== ACTIVE && status !== NEEDS_REVIEW) return status;
  if (consecutiveFailures >= settings.brokenAfterFailures) return BROKEN;
  if (
    status === ACTIVE &&
    recent.runs >= settings.reviewWindowRuns &&
    recent.successes / recent.runs < settings.reviewBelowSuccessRate
  ) {
    return NEEDS_REVIEW;
  }
  return status;
}
