import type { CanResponse } from '@gatehouse/core/contract';
import * as vscode from 'vscode';
import type { Permission } from '../api-client.js';
import { GatehouseApiError } from '../errors.js';
import { ALL_PERMISSIONS, describeCan, scopeChoices } from '../presentation.js';
import { argsOf, stringArg } from './args.js';
import type { CommandContext, Outcome } from './command-base.js';
import { cancelled, COMMANDS, GatehouseCommand } from './command-base.js';
import { failed } from './failure.js';

/** Optional arguments: programmatic callers pass them instead of answering prompts. */
export interface CanIArgs {
  permission?: Permission | undefined;
  teamId?: string | null | undefined;
}

function canIArgs(raw: unknown): CanIArgs {
  const a = argsOf(raw);
  const p = stringArg(a, 'permission');
  const t = a['teamId'];
  return {
    permission: ALL_PERMISSIONS.find((x) => x === p),
    teamId: t === null || typeof t === 'string' ? t : undefined,
  };
}

/** Asks the server whether the signed-in user holds a permission in a scope, and says why not. */
export class CanICommand extends GatehouseCommand<{ response: CanResponse; message: string }> {
  constructor(context: CommandContext) {
    super(COMMANDS.canI, context);
  }

  async execute(raw?: unknown): Promise<Outcome<{ response: CanResponse; message: string }>> {
    const { model } = this.context;
    const args = canIArgs(raw);
    const me = model.snapshot.me;
    if (!model.signedIn || !me) return failed(model.snapshot.error ?? new GatehouseApiError('not_configured', 'sign in to Gatehouse first'));
    const permission =
      args.permission ??
      (
        await vscode.window.showQuickPick(
          ALL_PERMISSIONS.map((p) => ({ label: p })),
          { title: 'Gatehouse: Can I …?', placeHolder: 'Which permission? (e.g. version:create)' },
        )
      )?.label;
    if (permission === undefined) return cancelled;
    let teamId: string | null;
    let scopeName: string;
    if (args.teamId !== undefined) {
      teamId = args.teamId;
      scopeName = me.scopes.find((s) => s.teamId === teamId)?.teamName ?? teamId ?? 'Global';
    } else {
      const other = { label: 'Another team…', teamId: undefined, description: 'type a team id' };
      const choice = await vscode.window.showQuickPick([...scopeChoices(me), other], { title: `Gatehouse: Can I ${permission} …?`, placeHolder: 'Where?' });
      if (!choice) return cancelled;
      if (choice.teamId === undefined) {
        const typed = await vscode.window.showInputBox({ title: `Gatehouse: Can I ${permission} …?`, prompt: 'Team id', validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(v.trim()) ? null : 'A team id: letters, digits, _ . : -') });
        if (typed === undefined) return cancelled;
        teamId = typed.trim();
        scopeName = teamId;
      } else {
        teamId = choice.teamId;
        scopeName = choice.label;
      }
    }
    try {
      const response = await model.can(permission, teamId);
      const message = describeCan(response, scopeName);
      if (response.allowed) void vscode.window.showInformationMessage(message);
      else void vscode.window.showWarningMessage(message);
      return { ok: true, value: { response, message } };
    } catch (e) {
      return failed(e);
    }
  }
}
