import * as vscode from 'vscode';
import { toApiError } from '../errors.js';
import { describeFailure, failureActions } from '../presentation.js';
import type { Outcome } from './command-base.js';
import { COMMANDS } from './command-base.js';

/** Shows the failure with its follow-up buttons and returns it to the caller. */
export function failed(e: unknown): Outcome<never> {
  const err = toApiError(e);
  const actions = failureActions(err);
  void vscode.window.showErrorMessage(describeFailure(err), ...actions).then((choice) => followUp(choice));
  return { ok: false, cancelled: false, kind: err.kind, message: err.message };
}

/** What the buttons of a failure message do. */
export function followUp(choice: string | undefined): void {
  if (choice === 'Sign in…') void vscode.commands.executeCommand(COMMANDS.signIn);
  else if (choice === 'Retry') void vscode.commands.executeCommand(COMMANDS.refresh);
  else if (choice === 'Open settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'gatehouse.serverUrl');
}
