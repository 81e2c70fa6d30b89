import type { ConfigChange, ConfigPlan, FilePosition } from '@gatehouse/core';

/** Terraform's `-detailed-exitcode`: 0 nothing to change, 2 changes to make, 1 invalid or refused. */
export function planExitCode(plan: ConfigPlan): 0 | 1 | 2 {
  if (plan.refusals.length) return 1;
  return plan.changes.length ? 2 : 0;
}

const show = (v: unknown) => (v === null || v === undefined ? 'none' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));

function line(c: ConfigChange): string {
  const fields = c.fields.map((f) => (f.field === 'members' ? ` members ${String(f.after ?? f.before)}` : ` ${f.field}: ${show(f.before)} → ${show(f.after)}`)).join(';');
  return `  ${c.op} ${c.key}${fields ? `:${fields}` : ''}`;
}

/**
 * A plan as a person reads it: changes grouped by kind (`+` create, `~` change old → new, `-`
 * remove), then every refusal with the entry's place in the file, then what --prune keeps, then a
 * one-line count. `locate` maps an entry's path to its line (when the file was parsed locally).
 */
export function formatPlan(plan: ConfigPlan, opts: { file: string; locate?: (path: readonly (string | number)[]) => FilePosition | null }): string {
  const out: string[] = [];
  const kinds = [...new Set(plan.changes.map((c) => c.kind))];
  for (const kind of kinds) {
    out.push(`${kind === 'settings' ? kind : `${kind}s`}:`);
    for (const c of plan.changes.filter((x) => x.kind === kind)) out.push(line(c));
  }
  if (plan.refusals.length) {
    out.push('', `Refused — nothing will be applied (${plan.refusals.length}):`);
    for (const r of plan.refusals) {
      const at = r.change.path.length && opts.locate ? opts.locate(r.change.path) : null;
      const where = at ? `${opts.file}:${at.line}` : r.change.path.length ? opts.file : `${opts.file} (left out, --prune)`;
      out.push(`  ${where}: ${r.change.kind} ${r.change.key}: ${r.message} (${r.code})`);
    }
  }
  if (plan.kept.length) {
    out.push('', 'Kept by --prune:');
    for (const k of plan.kept) out.push(`  ${k.kind} ${k.key}: ${k.reason}`);
  }
  const n = (op: ConfigChange['op']) => plan.changes.filter((c) => c.op === op).length;
  if (out.length) out.push('');
  out.push(plan.changes.length ? `${n('+')} to create, ${n('~')} to change, ${n('-')} to remove.` : 'No changes: the account already matches the file.');
  return `${out.join('\n')}\n`;
}
