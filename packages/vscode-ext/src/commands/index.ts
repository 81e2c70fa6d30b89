import type * as vscode from 'vscode';
import { ApproveCommand } from './approve.js';
import { CanICommand } from './can-i.js';
import type { CommandContext, GatehouseCommand } from './command-base.js';
import { OpenInSlackCommand } from './open-in-slack.js';
import { RefreshCommand } from './refresh.js';
import { RejectCommand } from './reject.js';
import { SignInCommand } from './sign-in.js';
import { SignOutCommand } from './sign-out.js';

export type { CanIArgs } from './can-i.js';
export type { CommandContext, Outcome } from './command-base.js';
export { COMMANDS } from './command-base.js';
export type { DecideArgs } from './decision-command.js';
export { followUp } from './failure.js';
export type { SignInArgs } from './sign-in.js';

/** Every command of the extension; each registers itself when constructed. */
const ALL: readonly (new (context: CommandContext) => GatehouseCommand)[] = [SignInCommand, SignOutCommand, RefreshCommand, CanICommand, ApproveCommand, RejectCommand, OpenInSlackCommand];

/** Registers every command; the caller disposes them (context.subscriptions). */
export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return ALL.map((C) => new C(context));
}
