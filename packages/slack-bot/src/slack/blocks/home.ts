import type { AccessRequest, ApprovalType, Delegation, Product, RoleAssignment, Version } from '@gatehouse/core';
import type { ScopeAccess } from '@gatehouse/core/contract';
import type { HomeView, KnownBlock } from '@slack/types';
import type { Names } from '../format.js';
import { TYPE_LABEL, assignment, environmentName, esc, missingText, userName, when } from '../format.js';
import { ACTION, actionId } from '../ids.js';
import { requestWhat } from './access.js';
import type { Message } from './common.js';
import { LIMITS, actions, button, context, divider, header, reply, section } from './common.js';
import { decisionButtons } from './follow-up.js';
import { delegationLines, scopeRoles } from './replies.js';

/**
 * The App Home ("Waiting for you", "Your requests", "Your access") and `approvals`, the same
 * waiting list as an ephemeral message with pages. Pure functions of names and facts.
 */

/** A version waiting for approvals the user can give (its requested environments together). */
export interface WaitingItem {
  version: Version;
  product: Product;
  environmentIds: string[];
  /** Types the user may give now, themselves or for someone who delegated to them. */
  canGive: ApprovalType[];
  /** Delegators on whose behalf the user may give some of them. */
  onBehalfOf: string[];
  followUp: { requestedAt: number; dueAt: number | null; overdue: boolean; reminders: number; escalated: boolean };
  /** What the core says is missing, over its environments. */
  missing: string[];
}

/** One of the user's own versions that waits for approval, per environment still missing something. */
export interface OwnVersion {
  version: Version;
  product: Product;
  waiting: { environmentId: string; missing: string[] }[];
}

/** Everything the Home shows for one user. */
export interface HomeFacts {
  userId: string;
  now: number;
  waiting: WaitingItem[];
  /** The user's pending access requests. */
  requests: AccessRequest[];
  versions: OwnVersion[];
  /** Roles globally and per team (as `whoami`). */
  scopes: ScopeAccess[];
  delegations: Delegation[];
  /** The user's roles that end within 7 days. */
  expiring: RoleAssignment[];
}

/** Waiting versions the Home lists (2 blocks each; the rest is counted and `approvals` lists it). */
export const HOME_WAITING_MAX = 20;
/** Lines of each list in "Your requests" and "Your access". */
const LIST_MAX = 10;
/** Waiting versions on one page of `approvals`. */
export const APPROVALS_PAGE_SIZE = 10;

/** One waiting version: what it is, what the user can give, its follow-up, and Approve / Reject per type. */
export function waitingBlocks(n: Names, w: WaitingItem): KnownBlock[] {
  const { version: v, product: p, followUp: f } = w;
  const envs = w.environmentIds.map((id) => `*${esc(environmentName(n, id))}*`).join(', ');
  const types = w.canGive.map((t) => `*${TYPE_LABEL[t]}*`).join(', ');
  const behalf = w.onBehalfOf.length ? ` (standing in for ${w.onBehalfOf.map((u) => userName(n, u)).join(', ')})` : '';
  const facts = [
    `requested by ${userName(n, v.createdBy)} ${when(f.requestedAt)}`,
    f.dueAt !== null ? `times out ${when(f.dueAt)}` : '',
    f.reminders ? `${f.reminders} reminder${f.reminders > 1 ? 's' : ''} sent` : '',
    f.escalated ? 'escalated' : '',
    v.message?.permalink ? `<${v.message.permalink}|approval message>` : '',
  ].filter(Boolean);
  const text = `${f.overdue ? ':rotating_light: *Overdue* · ' : ''}*${esc(p.name)} ${esc(v.version)}* → ${envs}\nYou can give ${types}${behalf}. Missing: ${missingText(n, w.missing)}\n${facts.join(' · ')}`;
  return [section(text), decisionButtons(v, w.canGive, `wait:${v.id}`, true)];
}

/** Up to `max` lines, then how many more and where to see them all. */
function capped(lines: readonly string[], more: (left: number) => string, max = LIST_MAX): string {
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max), more(lines.length - max)].join('\n');
}

function requestsSection(n: Names, f: HomeFacts, cmd: string): KnownBlock {
  if (f.requests.length === 0) return section(`*Access requests*\nNone waiting. Ask for a role for a while with \`${cmd} request\`.`);
  const lines = f.requests.map((r) => `• ${requestWhat(n, r)} — asked ${when(r.createdAt)}, waiting for an approver (\`${r.id}\`)`);
  return section(`*Access requests*\n${capped(lines, (k) => `_…and ${k} more: \`${cmd} requests\` lists them._`)}`);
}

function versionsSection(n: Names, f: HomeFacts): KnownBlock {
  if (f.versions.length === 0) return section('*Your versions*\nNone of the versions you created is waiting for approval.');
  const lines = f.versions.flatMap(({ version: v, product: p, waiting }) =>
    waiting.map((w) => `• *${esc(p.name)} ${esc(v.version)}* → *${esc(environmentName(n, w.environmentId))}*: missing ${missingText(n, w.missing)}${v.message?.permalink ? ` · <${v.message.permalink}|approval message>` : ''}`),
  );
  return section(`*Your versions waiting for approval*\n${capped(lines, (k) => `_…and ${k} more, each in its approval message._`)}`);
}

function accessBlocks(n: Names, f: HomeFacts, cmd: string): KnownBlock[] {
  const held = f.scopes.filter((s) => s.roles.length > 0).map((s) => `• *${esc(s.teamName)}*: ${scopeRoles(s)}`);
  const delegations = delegationLines(f.delegations, f.userId);
  return [
    section(`*Roles*\n${held.length ? capped(held, (k) => `_…and ${k} more teams: \`${cmd} whoami\`._`) : `You hold no role. Ask an administrator, or \`${cmd} request <role> [team] for <duration> because <reason>\`.`}`),
    section(`*Delegations*\n${delegations.length ? capped(delegations, (k) => `_…and ${k} more: \`${cmd} delegations\`._`) : `None in force. Name a stand-in while you are away: \`${cmd} delegate @user until <date>\`.`}`),
    section(`*Ending within 7 days*\n${f.expiring.length ? capped(f.expiring.map((a) => `• ${assignment(n, a)}`), (k) => `_…and ${k} more: \`${cmd} whoami\`._`) : 'None of your roles ends within 7 days.'}`),
  ];
}

/** The Home tab of one user. */
export function homeView(n: Names, f: HomeFacts, cmd: string): HomeView {
  const shown = f.waiting.slice(0, HOME_WAITING_MAX);
  const blocks: KnownBlock[] = [header(`Waiting for you (${f.waiting.length})`)];
  if (shown.length === 0) blocks.push(section(':white_check_mark: Nothing is waiting for your approval.'));
  else blocks.push(context('Overdue first, then the oldest. Approving here counts like on the approval message; Reject asks for a reason.'), ...shown.flatMap((w) => waitingBlocks(n, w)));
  if (f.waiting.length > shown.length) blocks.push(context(`…and ${f.waiting.length - shown.length} more waiting, not shown here. \`${cmd} approvals\` lists them all, ${APPROVALS_PAGE_SIZE} a page.`));
  blocks.push(divider(), header('Your requests'), requestsSection(n, f, cmd), versionsSection(n, f));
  blocks.push(divider(), header('Your access'), ...accessBlocks(n, f, cmd));
  blocks.push(context(`Updated ${when(f.now)} · \`${cmd} whoami\` lists your permissions · \`${cmd} help\` lists every command`));
  return { type: 'home', blocks: blocks.slice(0, LIMITS.modalBlocks) };
}

/** The Home of someone whose workspace this server does not serve, or that has no Gatehouse account yet. */
export function noAccountHome(text: string): HomeView {
  return { type: 'home', blocks: [header('Gatehouse'), section(text)] };
}

/** `approvals [page]`: the "Waiting for you" list, a page at a time, with buttons to the pages before and after. */
export function approvalsMessage(n: Names, waiting: readonly WaitingItem[], page: number, cmd: string): Message {
  if (waiting.length === 0) return reply(':white_check_mark: Nothing is waiting for your approval.');
  const pages = Math.ceil(waiting.length / APPROVALS_PAGE_SIZE);
  const at = Math.min(Math.max(1, Math.floor(page)), pages);
  const shown = waiting.slice((at - 1) * APPROVALS_PAGE_SIZE, at * APPROVALS_PAGE_SIZE);
  const blocks: KnownBlock[] = [header(`Waiting for you (${waiting.length})`), ...shown.flatMap((w) => waitingBlocks(n, w))];
  blocks.push(context(`Page ${at} of ${pages} · overdue first, then the oldest${pages > 1 ? ` · \`${cmd} approvals <page>\` opens a page` : ''} · your App Home shows this list too`));
  const nav = [
    ...(at > 1 ? [button(`← Page ${at - 1}`, actionId(ACTION.approvalsPage, 'previous'), String(at - 1))] : []),
    ...(at < pages ? [button(`Page ${at + 1} →`, actionId(ACTION.approvalsPage, 'next'), String(at + 1))] : []),
  ];
  if (nav.length) blocks.push(actions('approvals_pages', nav));
  return { text: `${waiting.length} version${waiting.length > 1 ? 's' : ''} waiting for your approval (page ${at} of ${pages})`, blocks };
}
