import * as vscode from 'vscode';
import { GatehouseApiError } from '../errors.js';
import { RequirementNode, VersionNode } from '../tree/approvals-tree.js';
import type { CommandContext, Outcome } from './command-base.js';
import { COMMANDS, GatehouseCommand } from './command-base.js';
import { failed } from './failure.js';

/** Opens the Slack message of a version's approval request (tree rows only). */
export class OpenInSlackCommand extends GatehouseCommand<string> {
  constructor(context: CommandContext) {
    super(COMMANDS.openInSlack, context);
  }

  async execute(node?: unknown): Promise<Outcome<string>> {
    const link = node instanceof VersionNode ? node.permalink : node instanceof RequirementNode ? node.parent.permalink : null;
    if (!link) return failed(new GatehouseApiError('refused', 'this version has no Slack message'));
    await vscode.env.openExternal(vscode.Uri.parse(link));
    return { ok: true, value: link };
  }
}
