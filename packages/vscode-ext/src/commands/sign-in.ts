import type { MeResponse } from '@gatehouse/core/contract';
import * as vscode from 'vscode';
import { normalizeServerUrl } from '../api-client.js';
import { argsOf, stringArg } from './args.js';
import type { CommandContext, Outcome } from './command-base.js';
import { cancelled, COMMANDS, GatehouseCommand } from './command-base.js';
import { failed } from './failure.js';

/** Optional arguments: programmatic callers pass them instead of answering prompts. */
export interface SignInArgs {
  serverUrl?: string | undefined;
  key?: string | undefined;
}

function signInArgs(raw: unknown): SignInArgs {
  const a = argsOf(raw);
  return { serverUrl: stringArg(a, 'serverUrl'), key: stringArg(a, 'key') };
}

/** Asks for the server URL and a key (unless given), and signs in with them. */
export class SignInCommand extends GatehouseCommand<MeResponse> {
  constructor(context: CommandContext) {
    super(COMMANDS.signIn, context);
  }

  async execute(raw?: unknown): Promise<Outcome<MeResponse>> {
    const args = signInArgs(raw);
    const serverUrl =
      args.serverUrl ??
      (await vscode.window.showInputBox({
        title: 'Sign in to Gatehouse (1/2)',
        prompt: 'The Gatehouse server URL',
        value: this.context.currentServerUrl() || 'http://localhost:3000',
        ignoreFocusOut: true,
        validateInput: (v) => (normalizeServerUrl(v) ? null : 'Give an http(s) URL, e.g. http://localhost:3000'),
      }));
    if (serverUrl === undefined) return cancelled;
    const key =
      args.key ??
      (await vscode.window.showInputBox({
        title: 'Sign in to Gatehouse (2/2)',
        prompt: 'Your API key or personal token (in Slack: /gatehouse keys create). It is kept in the editor’s secret storage.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? null : 'Paste the key or token'),
      }));
    if (key === undefined) return cancelled;
    try {
      const me = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Gatehouse: signing in…' }, () => this.context.model.signIn(serverUrl, key));
      void vscode.window.showInformationMessage(`Signed in to Gatehouse as ${me.user.name} (${me.account.name}).`);
      return { ok: true, value: me };
    } catch (e) {
      return failed(e);
    }
  }
}
