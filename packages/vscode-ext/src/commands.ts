import type { CanResponse, DecisionResponse, MeResponse } from '@gatehouse/core/contract';
import * as vscode from 'vscode';
import type { ApprovalType, Decision, Permission } from './api-client.js';
import { normalizeServerUrl } from './api-client.js';
import type { FailureKind } from './errors.js';
import { GatehouseApiError, toApiError } from './errors.js';
import { APPROVAL_TYPE_LABELS } from './format.js';
import type { GatehouseModel } from './model.js';
import { ALL_PERMISSIONS, describeCan, describeFailure, failureActions, scopeChoices } from './presentation.js';
import { RequirementNode, VersionNode } from './tree/approvals-tree.js';

export const COMMANDS = {
  signIn: 'gatehouse.signIn',
  signOut: 'gatehouse.signOut',
  refresh: 'gatehouse.refresh',
  canI: 'gatehouse.canI',
  approve: 'gatehouse.approve',
  reject: 'gatehouse.reject',
  openInSlack: 'gatehouse.openInSlack',
} as const;

/** What a command returns to a programmatic caller (tests, keybindings with args, other extensions). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; cancelled: true } | { ok: false; cancelled: false; kind: FailureKind; message: string };

const cancelled = { ok: false, cancelled: true } as const;

/** Optional arguments: programmatic callers pass them instead of answering prompts. */
export interface SignInArgs {
  serverUrl?: string | undefined;
  key?: string | undefined;
}
export interface CanIArgs {
  permission?: Permission | undefined;
  teamId?: string | null | undefined;
}
export interface DecideArgs {
  approvalType?: ApprovalType | undefined;
  reason?: string | undefined;
}

/** Tree context menus pass (node, selectedNodes[]): only a plain object counts as arguments. */
function argsOf(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof VersionNode) && !(x instanceof RequirementNode) ? (x as Record<string, unknown>) : {};
}

function stringArg(a: Record<string, unknown>, name: string): string | undefined {
  const v = a[name];
  return typeof v === 'string' ? v : undefined;
}

function signInArgs(raw: unknown): SignInArgs {
  const a = argsOf(raw);
  return { serverUrl: stringArg(a, 'serverUrl'), key: stringArg(a, 'key') };
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

function decideArgs(raw: unknown): DecideArgs {
  const a = argsOf(raw);
  const t = stringArg(a, 'approvalType');
  return { approvalType: t !== undefined && t in APPROVAL_TYPE_LABELS ? (t as ApprovalType) : undefined, reason: stringArg(a, 'reason') };
}

function failed(e: unknown): Outcome<never> {
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

interface Target {
  versionId: string;
  title: string;
  types: readonly ApprovalType[];
}

/**
 * Registers every command. `beforeManualRefresh` lets the caller show a failure again when the
 * user asks for a refresh (automatic refreshes announce a lasting failure only once).
 */
export function registerCommands(model: GatehouseModel, currentServerUrl: () => string, beforeManualRefresh: () => void): vscode.Disposable[] {
  async function signIn(raw?: unknown): Promise<Outcome<MeResponse>> {
    const args = signInArgs(raw);
    const serverUrl =
      args.serverUrl ??
      (await vscode.window.showInputBox({
        title: 'Sign in to Gatehouse (1/2)',
        prompt: 'The Gatehouse server URL',
        value: currentServerUrl() || 'http://localhost:3000',
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
      const me = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Gatehouse: signing in…' }, () => model.signIn(serverUrl, key));
      void vscode.window.showInformationMessage(`Signed in to Gatehouse as ${me.user.name} (${me.account.name}).`);
      return { ok: true, value: me };
    } catch (e) {
      return failed(e);
    }
  }

  async function signOut(): Promise<Outcome<void>> {
    await model.signOut();
    void vscode.window.showInformationMessage('Signed out of Gatehouse: the key was removed from secret storage.');
    return { ok: true, value: undefined };
  }

  async function refresh(): Promise<Outcome<void>> {
    if (!model.signedIn) return { ok: true, value: undefined };
    beforeManualRefresh();
    await model.refresh();
    // A failure is shown by the model listener (with the stale data note); only report it here.
    const err = model.snapshot.error;
    return err ? { ok: false, cancelled: false, kind: err.kind, message: err.message } : { ok: true, value: undefined };
  }

  async function canI(raw?: unknown): Promise<Outcome<{ response: CanResponse; message: string }>> {
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

  /** The version (and types) a tree node stands for; without a node, asks which pending version. */
  async function target(node: unknown): Promise<Target | undefined> {
    if (node instanceof RequirementNode) return { versionId: node.versionId, title: node.parent.title, types: node.decidable ? [node.approvalType] : [] };
    if (node instanceof VersionNode) return { versionId: node.versionId, title: node.title, types: node.canGive };
    const items = (model.snapshot.pending ?? [])
      .filter((p) => p.canGive.length)
      .map((p) => new VersionNode(p))
      .map((v) => ({ label: v.title, description: v.canGive.map((t) => APPROVAL_TYPE_LABELS[t]).join(', '), v }));
    if (!items.length) {
      void vscode.window.showInformationMessage('Gatehouse: nothing waits for your approval.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Gatehouse: which version?' });
    return pick && { versionId: pick.v.versionId, title: pick.v.title, types: pick.v.canGive };
  }

  async function decide(decision: Decision, node: unknown, raw: unknown): Promise<Outcome<DecisionResponse>> {
    const args = decideArgs(raw);
    const t = await target(node);
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
      const out = await model.decide(t.versionId, type, decision, reason?.trim());
      const verb = decision === 'approve' ? 'Approved' : 'Rejected';
      void vscode.window.showInformationMessage(out.changed ? `${verb} ${t.title} (${APPROVAL_TYPE_LABELS[type]}).` : `${t.title}: your ${APPROVAL_TYPE_LABELS[type]} decision was already recorded.`);
      return { ok: true, value: out };
    } catch (e) {
      return failed(e);
    }
  }

  async function openInSlack(node: unknown): Promise<Outcome<string>> {
    const link = node instanceof VersionNode ? node.permalink : node instanceof RequirementNode ? node.parent.permalink : null;
    if (!link) return failed(new GatehouseApiError('refused', 'this version has no Slack message'));
    await vscode.env.openExternal(vscode.Uri.parse(link));
    return { ok: true, value: link };
  }

  return [
    vscode.commands.registerCommand(COMMANDS.signIn, signIn),
    vscode.commands.registerCommand(COMMANDS.signOut, signOut),
    vscode.commands.registerCommand(COMMANDS.refresh, refresh),
    vscode.commands.registerCommand(COMMANDS.canI, canI),
    vscode.commands.registerCommand(COMMANDS.approve, (node: unknown, args: unknown) => decide('approve', node, args)),
    vscode.commands.registerCommand(COMMANDS.reject, (node: unknown, args: unknown) => decide('reject', node, args)),
    vscode.commands.registerCommand(COMMANDS.openInSlack, openInSlack),
  ];
}
