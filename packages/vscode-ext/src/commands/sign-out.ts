import * as vscode from 'vscode';
import type { CommandContext, Outcome } from './command-base.js';
import { COMMANDS, GatehouseCommand } from './command-base.js';

/** Forgets the key (secret storage) and empties the views. */
export class SignOutCommand extends GatehouseCommand<void> {
  constructor(context: CommandContext) {
    super(COMMANDS.signOut, context);
  }

  async execute(): Promise<Outcome<void>> {
    await this.context.model.signOut();
    void vscode.window.showInformationMessage('Signed out of Gatehouse: the key was removed from secret storage.');
    return { ok: true, value: undefined };
  }
}
