import type { CommandContext } from './command-base.js';
import { COMMANDS } from './command-base.js';
import { DecisionCommand } from './decision-command.js';

/** Gives the user's approval to a pending version. */
export class ApproveCommand extends DecisionCommand {
  constructor(context: CommandContext) {
    super(COMMANDS.approve, 'approve', context);
  }
}
