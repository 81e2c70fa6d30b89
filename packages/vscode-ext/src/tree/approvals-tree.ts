import type { EvaluationDto, PendingApprovalDto } from '@gatehouse/core/contract';
import type { ApprovalType } from '../api-client.js';
import { APPROVAL_TYPE_LABELS, formatDuration, formatTime, peopleNames, personName, plural, says } from '../format.js';
import type { ItemSpec } from './node.js';
import { TreeNode } from './node.js';

type Requirement = EvaluationDto['requirements'][number];
type FollowUp = NonNullable<PendingApprovalDto['followUp']>;

const DAY = 86_400_000;

/** Context values: menus in package.json match `\.decidable` (Approve/Reject) and `\.slack` (Open in Slack). */
export const CONTEXT = {
  product: 'product',
  version: 'version',
  requirement: 'requirement',
  release: 'release',
  decidable: '.decidable',
  slack: '.slack',
} as const;

/**
 * The roots of "Pending approvals": one node per product, in the order the server lists versions
 * (overdue first). `now` is the model's clock, for "times out in 5 h".
 */
export function approvalsRoots(pending: readonly PendingApprovalDto[], now: number): ProductNode[] {
  const byProduct = new Map<string, PendingApprovalDto[]>();
  for (const p of pending) {
    const list = byProduct.get(p.product.id) ?? [];
    list.push(p);
    byProduct.set(p.product.id, list);
  }
  return [...byProduct.values()].map((items) => new ProductNode(items, now));
}

/** Past its reminder delay (the server's word), or past its timeout by our clock. */
export function isOverdue(f: FollowUp | undefined, now: number): boolean {
  return !!f && (f.overdue || (f.dueAt !== null && f.dueAt <= now));
}

/**
 * The follow-up markers of a version's row, most urgent first: "overdue · waiting 3 h",
 * "times out in 5 h" / "timed out 10 min ago". How long it has waited is said when it is overdue
 * or has waited a day; a fresh request stays quiet (the tooltip has the time).
 */
export function followUpMarkers(f: FollowUp | undefined, now: number): string[] {
  if (!f) return [];
  const out: string[] = [];
  const waited = now - f.requestedAt;
  if (f.overdue) out.push(f.escalated ? 'overdue, escalated' : 'overdue');
  else if (f.escalated) out.push('escalated');
  if (f.overdue || f.escalated || waited >= DAY) out.push(`waiting ${formatDuration(waited)}`);
  if (f.dueAt !== null) out.push(f.dueAt <= now ? `timed out ${formatDuration(now - f.dueAt)} ago` : `times out in ${formatDuration(f.dueAt - now)}`);
  return out;
}

/** Tooltip lines for the follow-up: exact times (UTC), reminders, escalation. */
export function followUpLines(f: FollowUp | undefined, now: number): string[] {
  if (!f) return [];
  const lines = [`Requested ${formatTime(f.requestedAt)} (waiting ${formatDuration(now - f.requestedAt)})`];
  if (f.dueAt !== null) lines.push(f.dueAt <= now ? `Timed out ${formatTime(f.dueAt)}` : `Times out ${formatTime(f.dueAt)} (in ${formatDuration(f.dueAt - now)})`);
  else lines.push('No timeout');
  if (f.overdue) lines.push(`Overdue: ${f.reminders ? `${plural(f.reminders, 'reminder')} sent` : 'reminders have started'}`);
  if (f.escalated) lines.push('Escalated');
  return lines;
}

/** "QA ✓, Security: 1 missing" style summary of what is done and what is missing. */
export function summarize(e: EvaluationDto): { done: string[]; missing: string[] } {
  const done: string[] = [];
  const missing: string[] = [];
  for (const r of e.requirements) (r.satisfied ? done : missing).push(APPROVAL_TYPE_LABELS[r.type]);
  if (e.release?.required) (e.release.approved ? done : missing).push('Release');
  return { done, missing };
}

export class ProductNode extends TreeNode {
  constructor(
    readonly items: readonly PendingApprovalDto[],
    private readonly now: number,
  ) {
    super();
  }

  get product(): PendingApprovalDto['product'] {
    return this.items[0]!.product;
  }

  item(): ItemSpec {
    const overdue = this.items.filter((p) => isOverdue(p.followUp, this.now)).length;
    return {
      id: `product:${this.product.id}`,
      label: this.product.name,
      description: `${plural(this.items.length, 'version')} waiting${overdue ? ` · ${overdue} overdue` : ''}`,
      // An older server sends no team name: the id then says which team rather than nothing.
      tooltip: `${this.product.name} (team ${this.product.teamName ?? this.product.teamId})`,
      icon: 'package',
      collapsible: 'expanded',
      contextValue: CONTEXT.product,
    };
  }

  override children(): VersionNode[] {
    return this.items.map((p) => new VersionNode(p, this.now));
  }
}

/** One version waiting for approval in one environment. */
export class VersionNode extends TreeNode {
  constructor(
    readonly pending: PendingApprovalDto,
    private readonly now: number,
  ) {
    super();
  }

  /** Whose approval the user would give through a delegation (names). */
  get onBehalfOf(): string[] {
    return (this.pending.onBehalfOf ?? []).map((u) => personName(this.pending.people, u.id, u.name));
  }

  /** A user the item mentions, by name (the id when an older server named nobody). */
  name(userId: string): string {
    return personName(this.pending.people, userId);
  }

  /** Users by name, comma-separated. */
  names(userIds: readonly string[]): string {
    return peopleNames(this.pending.people, userIds);
  }

  get versionId(): string {
    return this.pending.version.id;
  }

  /** Types the signed-in user may give now. */
  get canGive(): readonly ApprovalType[] {
    return this.pending.canGive;
  }

  get permalink(): string | null {
    return this.pending.version.message?.permalink ?? null;
  }

  get title(): string {
    return `${this.pending.product.name} ${this.pending.version.version} → ${this.pending.environment.name}`;
  }

  item(): ItemSpec {
    const p = this.pending;
    const { done, missing } = summarize(p.evaluation);
    const creator = personName(p.people, p.creator.id, p.creator.name);
    const lines = [
      // "→ production (production)" would say it twice: the marker only when the name does not.
      this.title + (p.environment.production && !says(p.environment.name, 'prod') ? ' (production environment)' : ''),
      `Created by ${creator} on ${formatTime(p.version.createdAt)}`,
      `Done: ${done.join(', ') || 'nothing yet'}`,
      `Missing: ${missing.join(', ') || 'nothing'}`,
      `You can give: ${p.canGive.map((t) => APPROVAL_TYPE_LABELS[t]).join(', ') || 'nothing'}`,
    ];
    const behalf = this.onBehalfOf;
    if (behalf.length) lines.push(`Through a delegation you may also give the approvals of ${behalf.join(', ')}`);
    if (p.evaluation.separationOfDuties) lines.push('Separation of duties: the creator cannot approve');
    lines.push(...followUpLines(p.followUp, this.now));
    const overdue = isOverdue(p.followUp, this.now);
    // What the approver must know first (urgency, whose approval) leads: a narrow side bar cuts the end.
    const description = [
      ...followUpMarkers(p.followUp, this.now),
      ...(behalf.length ? [`on behalf of ${behalf.join(', ')}`] : []),
      `${done.length}/${done.length + missing.length} done`,
      `by ${creator}`,
    ];
    return {
      id: `version:${p.version.id}:${p.environment.id}`,
      label: `${p.version.version} → ${p.environment.name}`,
      description: description.join(' · '),
      tooltip: lines.join('\n'),
      // Overdue outranks the environment's icon; the label still names the environment.
      icon: overdue ? 'warning' : p.environment.production ? 'rocket' : 'server-environment',
      ...(overdue ? { iconColor: 'list.warningForeground' } : {}),
      collapsible: 'expanded',
      contextValue: CONTEXT.version + (p.canGive.length ? CONTEXT.decidable : '') + (this.permalink ? CONTEXT.slack : ''),
    };
  }

  override children(): TreeNode[] {
    const out: TreeNode[] = this.pending.evaluation.requirements.map((r) => new RequirementNode(this, r));
    const release = this.pending.evaluation.release;
    if (release?.required) out.push(new ReleaseNode(this, release.approved, release.approvedBy));
    return out;
  }
}

/** One approval type a version needs: done, or how many approvals are missing. */
export class RequirementNode extends TreeNode {
  constructor(
    readonly parent: VersionNode,
    readonly requirement: Requirement,
  ) {
    super();
  }

  get versionId(): string {
    return this.parent.versionId;
  }

  get approvalType(): ApprovalType {
    return this.requirement.type;
  }

  get decidable(): boolean {
    return this.parent.canGive.includes(this.requirement.type);
  }

  item(): ItemSpec {
    const r = this.requirement;
    const parts: string[] = [];
    const names = (ids: readonly string[]) => this.parent.names(ids);
    if (r.satisfied) parts.push(`done · approved by ${names(r.approvedBy)}`);
    else parts.push(`missing ${r.missing} of ${r.quorum}`);
    if (!r.satisfied && r.approvedBy.length) parts.push(`approved by ${names(r.approvedBy)}`);
    if (r.rejectedBy.length) parts.push(`rejected by ${names(r.rejectedBy)}`);
    if (this.decidable) parts.push('you can give it');
    return {
      id: `requirement:${this.parent.pending.version.id}:${this.parent.pending.environment.id}:${r.type}`,
      label: APPROVAL_TYPE_LABELS[r.type],
      description: parts.join(' · '),
      tooltip: `${APPROVAL_TYPE_LABELS[r.type]} approval: ${r.approvedBy.length} of ${r.quorum} needed`,
      icon: r.satisfied ? 'pass' : r.rejectedBy.length ? 'error' : 'circle-large-outline',
      ...(r.satisfied ? { iconColor: 'testing.iconPassed' } : r.rejectedBy.length ? { iconColor: 'testing.iconFailed' } : {}),
      collapsible: 'none',
      contextValue: CONTEXT.requirement + (this.decidable ? CONTEXT.decidable : ''),
    };
  }
}

/** The release approval, when the environment's rule asks for one (given on the release, not here). */
export class ReleaseNode extends TreeNode {
  constructor(
    readonly parent: VersionNode,
    readonly approved: boolean,
    readonly approvedBy: readonly string[],
  ) {
    super();
  }

  item(): ItemSpec {
    return {
      id: `release:${this.parent.pending.version.id}:${this.parent.pending.environment.id}`,
      label: 'Release',
      description: this.approved ? `done · approved by ${this.parent.names(this.approvedBy)}` : 'missing: the release needs approval',
      icon: this.approved ? 'pass' : 'circle-large-outline',
      ...(this.approved ? { iconColor: 'testing.iconPassed' } : {}),
      collapsible: 'none',
      contextValue: CONTEXT.release,
    };
  }
}
