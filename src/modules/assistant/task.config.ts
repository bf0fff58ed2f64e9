import type { SharedActionConfig } from '../triggers/actions';
import type { TaskActionType } from './assistant.enums';

export interface PromptConfig {
  type: TaskActionType.PROMPT;
  prompt: string;
  /** A model other than `AI_MODEL`. */
  model: string | null;
}

export interface CommandConfig {
  type: TaskActionType.COMMAND;
  /** The program (a name on PATH or a path); never run through a shell. */
  command: string;
  args: string[];
}

/** A task's action, as stored: its own two, or one of the actions the triggers run. */
export type TaskActionConfig = PromptConfig | CommandConfig | SharedActionConfig;
