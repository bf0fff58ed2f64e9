import type { App } from '../../app';
import type { AiSettings } from '../../config';
import type { Viewer } from '../../context';
import { Role } from '../accounts/role';
import { HaLiveService } from '../home-assistant/ha-live.service';
import { HaConnectionNotFoundError } from '../home-assistant/ha.errors';
import { parseSharedAction } from '../triggers/actions';
import { TriggerActionType } from '../triggers/trigger.enums';
import { TaskActionType } from './assistant.enums';
import { CommandTasksForbiddenError, InvalidTaskError } from './assistant.errors';
import type { TaskActionConfig } from './task.config';
import type { TaskActionInput } from './tasks.inputs';

/** Why a COMMAND task may not exist or run for this user now, or null when it may. */
export function commandRefusal(ai: AiSettings, role: Role): string | null {
  if (!ai.allowCommandTasks) return 'COMMAND tasks are disabled on this server (ALLOW_COMMAND_TASKS)';
  if (role !== Role.ADMIN) return 'only workspace admins can have COMMAND tasks';
  return null;
}

/** Checks a task's action for the viewer and returns what is stored. */
export async function parseTaskAction(app: App, viewer: Viewer, input: TaskActionInput): Promise<TaskActionConfig> {
  switch (input.type) {
    case TaskActionType.PROMPT: {
      if (!app.config.ai.baseUrl) throw new InvalidTaskError('PROMPT tasks need an AI server: AI_BASE_URL is not set');
      const prompt = input.prompt?.trim();
      if (!prompt) throw new InvalidTaskError('a PROMPT action needs a prompt');
      return { type: TaskActionType.PROMPT, prompt, model: input.model?.trim() || null };
    }
    case TaskActionType.COMMAND: {
      const refusal = commandRefusal(app.config.ai, viewer.role);
      if (refusal) throw new CommandTasksForbiddenError(refusal);
      const command = input.command?.trim();
      if (!command) throw new InvalidTaskError('a COMMAND action needs a command');
      if (/\s/.test(command)) {
        throw new InvalidTaskError('command is one program, without a shell: put its arguments in args');
      }
      const args = input.args ?? [];
      if ([command, ...args].some((part) => part.includes('\u0000'))) {
        throw new InvalidTaskError('command and args cannot hold NUL characters');
      }
      return { type: TaskActionType.COMMAND, command, args };
    }
    default: {
      const config = parseSharedAction({ ...input, type: input.type as unknown as TriggerActionType });
      if (config.type === TriggerActionType.CALL_HA_SERVICE) {
        const owner = { workspaceId: viewer.workspaceId, userId: viewer.id };
        if (!(await new HaLiveService(app).owns(owner, config.connectionId))) {
          throw new HaConnectionNotFoundError(config.connectionId);
        }
      }
      return config;
    }
  }
}
