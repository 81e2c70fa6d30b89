import * as vscode from 'vscode';
import type { ItemSpec, TreeNode } from './tree/node.js';

/** Turns the editor-free ItemSpec into a TreeItem. */
export function toTreeItem(spec: ItemSpec): vscode.TreeItem {
  const state =
    spec.collapsible === 'none'
      ? vscode.TreeItemCollapsibleState.None
      : spec.collapsible === 'expanded'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(spec.label, state);
  item.id = spec.id;
  if (spec.description !== undefined) item.description = spec.description;
  if (spec.tooltip !== undefined) item.tooltip = spec.tooltip;
  if (spec.contextValue !== undefined) item.contextValue = spec.contextValue;
  if (spec.icon !== undefined) item.iconPath = new vscode.ThemeIcon(spec.icon, spec.iconColor === undefined ? undefined : new vscode.ThemeColor(spec.iconColor));
  return item;
}

/** A tree over whatever roots the model currently gives; `refresh()` after every model change. */
export class NodeTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly roots: () => TreeNode[]) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return toTreeItem(node.item());
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children() : this.roots();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
