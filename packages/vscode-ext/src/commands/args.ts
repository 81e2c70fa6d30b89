import { RequirementNode, VersionNode } from '../tree/approvals-tree.js';

/** Tree context menus pass (node, selectedNodes[]): only a plain object counts as arguments. */
export function argsOf(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof VersionNode) && !(x instanceof RequirementNode) ? (x as Record<string, unknown>) : {};
}

export function stringArg(a: Record<string, unknown>, name: string): string | undefined {
  const v = a[name];
  return typeof v === 'string' ? v : undefined;
}
