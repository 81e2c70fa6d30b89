import type { CommandContext } from './command-base.js';
import { COMMANDS } from './command-base.js';
import { DecisionCommand } from './decision-command.js';

/** Rejects a pending version, with a reason. */
export class RejectCommand extends DecisionCommand {
  constructor(context: CommandContext) {
    super(COMMANDS.reject, 'reject', context);
  }
}
