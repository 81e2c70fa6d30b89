import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { HttpApiClient } from './api-client.js';
import { AutoRefresh } from './auto-refresh.js';
import { followUp, registerCommands } from './commands/index.js';
import { GatehouseModel, isStale } from './model.js';
import type { Snapshot } from './model.js';
import { describeFailure, failureActions, statusBar, viewMessage } from './presentation.js';
import { NodeTreeProvider } from './tree-provider.js';
import { accessRoots } from './tree/access-tree.js';
import { approvalsRoots } from './tree/approvals-tree.js';
import { plural } from './format.js';

/** What `activate()` returns: for the integration tests and for other extensions. */
export interface GatehouseApi {
  readonly model: GatehouseModel;
  readonly views: { readonly access: NodeTreeProvider; readonly approvals: NodeTreeProvider };
  /** How long `activate()` itself took (ms): loading happens after it returned. */
  readonly activationMs: number;
  /** Settles when the first background load (started by `activate()`) is done. */
  readonly ready: Promise<void>;
}

const SECTION = 'gatehouse';

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** Registers views, commands and the status bar, then returns; the data loads in the background. */
export function activate(context: vscode.ExtensionContext): GatehouseApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Gatehouse', { log: true });
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0';
  const serverUrl = {
    get: () => config().get<string>('serverUrl', ''),
    set: (url: string) => config().update('serverUrl', url, vscode.ConfigurationTarget.Global),
  };
  const model = new GatehouseModel({
    secrets: context.secrets,
    serverUrl,
    createClient: (baseUrl, key) => new HttpApiClient({ baseUrl, key, userAgent: `gatehouse-vscode/${version}` }),
  });
  const access = new NodeTreeProvider(() => (model.snapshot.me ? accessRoots(model.snapshot.me, model.now()) : []));
  const approvals = new NodeTreeProvider(() => (model.snapshot.pending ? approvalsRoots(model.snapshot.pending, model.now()) : []));
  const accessView = vscode.window.createTreeView('gatehouse.access', { treeDataProvider: access, showCollapseAll: true });
  const approvalsView = vscode.window.createTreeView('gatehouse.approvals', { treeDataProvider: approvals, showCollapseAll: true });
  const status = vscode.window.createStatusBarItem('gatehouse.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Gatehouse';
  const auto = new AutoRefresh(() => void model.refresh());
  const autoSeconds = () => config().get<number>('autoRefreshSeconds', 60);

  // A failure is announced once (non-modal); the views keep saying it until a refresh succeeds.
  let announced: string | null = null;
  const announce = (s: Snapshot) => {
    if (!s.error) {
      announced = null;
      return;
    }
    const text = describeFailure(s.error);
    log.warn(`${s.error.kind}: ${s.error.message}`);
    if (text === announced) return;
    announced = text;
    void vscode.window.showWarningMessage(text, ...failureActions(s.error)).then(followUp);
  };

  const render = (s: Snapshot) => {
    access.refresh();
    approvals.refresh();
    const message = viewMessage(s);
    accessView.message = message;
    approvalsView.message = message;
    const stale = isStale(s) ? 'stale' : undefined;
    accessView.description = stale;
    approvalsView.description = stale;
    const n = s.pending?.length ?? 0;
    approvalsView.badge = n ? { value: n, tooltip: `${plural(n, 'approval')} waiting for you` } : undefined;
    const bar = statusBar(s);
    status.text = bar.text;
    status.tooltip = bar.tooltip;
    status.command = bar.command;
    status.backgroundColor = bar.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    status.show();
    void vscode.commands.executeCommand('setContext', 'gatehouse.signedIn', s.status !== 'signedOut');
    void vscode.commands.executeCommand('setContext', 'gatehouse.loaded', s.pending !== null);
    void vscode.commands.executeCommand('setContext', 'gatehouse.pendingCount', n);
    auto.configure(autoSeconds(), s.status !== 'signedOut');
    announce(s);
  };

  context.subscriptions.push(
    log,
    model,
    access,
    approvals,
    accessView,
    approvalsView,
    status,
    auto,
    model.onDidChange(render),
    ...registerCommands({
      model,
      currentServerUrl: serverUrl.get,
      beforeManualRefresh: () => {
        announced = null;
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.serverUrl`)) void model.restore();
      if (e.affectsConfiguration(`${SECTION}.autoRefreshSeconds`)) auto.configure(autoSeconds(), model.signedIn);
    }),
  );
  render(model.snapshot);
  const ready = model.restore().catch((err: unknown) => log.error('loading failed', err));
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { model, views: { access, approvals }, activationMs, ready };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
