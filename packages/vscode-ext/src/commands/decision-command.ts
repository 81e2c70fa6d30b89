import type { DecisionResponse } from '@gatehouse/core/contract';
import * as vscode from 'vscode';
import type { ApprovalType, Decision } from '../api-client.js';
import { GatehouseApiError } from '../errors.js';
import { APPROVAL_TYPE_LABELS } from '../format.js';
import { RequirementNode, VersionNode, followUpMarkers } from '../tree/approvals-tree.js';
import { argsOf, stringArg } from './args.js';
import type { CommandContext, CommandId, Outcome } from './command-base.js';
import { cancelled, GatehouseCommand } from './command-base.js';
import { failed } from './failure.js';

/** Optional arguments: programmatic callers pass them instead of answering prompts. */
export interface DecideArgs {
  approvalType?: ApprovalType | undefined;
  reason?: string | undefined;
}

function decideArgs(raw: unknown): DecideArgs {
  const a = argsOf(raw);
  const t = stringArg(a, 'approvalType');
  return { approvalType: t !== undefined && t in APPROVAL_TYPE_LABELS ? (t as ApprovalType) : undefined, reason: stringArg(a, 'reason') };
}

interface Target {
  versionId: string;
  title: string;
  types: readonly ApprovalType[];
}

/**
 * Approve and Reject: on a tree node (a version or one of its requirements) or, without one, on a
 * pending version picked from a list; asks for the approval type when the user can give several.
 */
export abstract class DecisionCommand extends GatehouseCommand<DecisionResponse> {
  constructor(
    id: CommandId,
    private readonly decision: Decision,
    context: CommandContext,
  ) {
    super(id, context);
  }

  async execute(node?: unknown, raw?: unknown): Promise<Outcome<DecisionResponse>> {
    const { decision } = this;
    const args = decideArgs(raw);
    const t = await this.target(node);
    if (!t) return cancelled;
    const type =
      args.approvalType ??
      (t.types.length === 1
        ? t.types[0]
        : (
            await vscode.window.showQuickPick(
              t.types.map((ty) => ({ label: APPROVAL_TYPE_LABELS[ty], ty })),
              { title: `${decision === 'approve' ? 'Approve' : 'Reject'} ${t.title} as…` },
            )
          )?.ty);
    if (type === undefined) return t.types.length ? cancelled : failed(new GatehouseApiError('refused', `you cannot give any approval to ${t.title}`));
    let reason: string | undefined;
    if (decision === 'reject') {
      reason =
        args.reason ??
        (await vscode.window.showInputBox({
          title: `Reject ${t.title} (${APPROVAL_TYPE_LABELS[type]})`,
          prompt: 'Why? The reason is shown to the requester and kept in the audit trail.',
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim().length < 3 ? 'Give a reason of at least 3 characters' : v.length > 1000 ? 'At most 1000 characters' : null),
        }));
      if (reason === undefined) return cancelled;
    }
    try {
      const out = await this.context.model.decide(t.versionId, type, decision, reason?.trim());
      const verb = decision === 'approve' ? 'Approved' : 'Rejected';
      void vscode.window.showInformationMessage(out.changed ? `${verb} ${t.title} (${APPROVAL_TYPE_LABELS[type]}).` : `${t.title}: your ${APPROVAL_TYPE_LABELS[type]} decision was already recorded.`);
      return { ok: true, value: out };
    } catch (e) {
      return failed(e);
    }
  }

  /** The version (and types) a tree node stands for; without a node, asks which pending version. */
  private async target(node: unknown): Promise<Target | undefined> {
    if (node instanceof RequirementNode) return { versionId: node.versionId, title: node.parent.title, types: node.decidable ? [node.approvalType] : [] };
    if (node instanceof VersionNode) return { versionId: node.versionId, title: node.title, types: node.canGive };
    const now = this.context.model.now();
    const items = (this.context.model.snapshot.pending ?? [])
      .filter((p) => p.canGive.length)
      .map((p) => new VersionNode(p, now))
      .map((v) => ({ label: v.title, description: [v.canGive.map((t) => APPROVAL_TYPE_LABELS[t]).join(', '), ...followUpMarkers(v.pending.followUp, now)].join(' · '), v }));
    if (!items.length) {
      void vscode.window.showInformationMessage('Gatehouse: nothing waits for your approval.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Gatehouse: which version?' });
    return pick && { versionId: pick.v.versionId, title: pick.v.title, types: pick.v.canGive };
  }
}
