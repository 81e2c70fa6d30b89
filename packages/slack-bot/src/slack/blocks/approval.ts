import type { ApprovalType, Deployment, Environment, Evaluation, Product, Release, RequirementStatus, Version } from '@gatehouse/core';
import { APPROVAL_TYPES } from '@gatehouse/core';
import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { Names } from '../format.js';
import { TYPE_LABEL, esc, missingText, reasonText, teamName, userName, when } from '../format.js';
import { ACTION, actionId } from '../ids.js';
import type { Message } from './common.js';
import { actions, button, context, fields, header, section } from './common.js';

/** Everything the approval message shows: the version and its evaluation per requested environment. */
export interface ApprovalCard {
  version: Version;
  product: Product;
  /** Each environment asked for, its evaluation, and the version's latest deployment there (null: not deployed). */
  environments: { environment: Pick<Environment, 'id' | 'name' | 'production'>; evaluation: Evaluation; deployed?: Deployment | null }[];
  /** The version's release, when a rule requires release approval. */
  release: Release | null;
}

export { TYPE_LABEL } from '../format.js';

export type CardState = 'pending' | 'ready' | 'rejected';

/** Rejected when any requirement or the release is rejected; ready when every environment is. */
export function cardState(card: ApprovalCard): CardState {
  const evals = card.environments.map((e) => e.evaluation);
  if (evals.some(rejectedIn)) return 'rejected';
  if (evals.length > 0 && evals.every((e) => e.ready)) return 'ready';
  return 'pending';
}

/** Per type: the status shown (taken from the environment asking the largest quorum). */
function requirements(card: ApprovalCard): RequirementStatus[] {
  const best = new Map<ApprovalType, RequirementStatus>();
  for (const { evaluation } of card.environments) {
    for (const r of evaluation.requirements) {
      const seen = best.get(r.type);
      if (!seen || r.quorum > seen.quorum) best.set(r.type, r);
    }
  }
  return APPROVAL_TYPES.flatMap((t) => {
    const r = best.get(t);
    return r ? [r] : [];
  });
}

function reasonOf(card: ApprovalCard, approverId: string, type: ApprovalType): string | null {
  return card.version.decisions.find((d) => d.approverId === approverId && d.type === type)?.reason ?? null;
}

function statusLine(n: Names, card: ApprovalCard, r: RequirementStatus): string {
  const label = `*${TYPE_LABEL[r.type]}* · ${r.approvedBy.length} of ${r.quorum}`;
  const who = (u: string) => userName(n, u);
  if (r.rejectedBy.length) {
    const why = r.rejectedBy.map((u) => `${who(u)}: ${reasonText(reasonOf(card, u, r.type) ?? 'no reason')}`).join('; ');
    return `:x: ${label} — rejected by ${why}`;
  }
  const by = r.approvedBy.length ? ` — approved by ${r.approvedBy.map(who).join(', ')}` : '';
  if (r.satisfied) return `:white_check_mark: ${label}${by}`;
  return `:hourglass_flowing_sand: ${label}${by} — ${r.missing} more needed`;
}

/** A requirement or the release is rejected in this evaluation. */
export function rejectedIn(e: Evaluation): boolean {
  return e.requirements.some((r) => r.rejectedBy.length > 0) || (e.release?.rejectedBy.length ?? 0) > 0;
}

/** One environment: ready, rejected (and by whom), or what it waits for. A rejected card says "ready to deploy" nowhere. */
function envLine(n: Names, e: ApprovalCard['environments'][number], state: CardState): string {
  // "(production)" marks a production environment, unless its name says so already.
  const name = `*${esc(e.environment.name)}*${e.environment.production && !/\bprod(uction)?\b/i.test(e.environment.name) ? ' (production)' : ''}`;
  if (e.deployed) return `:rocket: ${name}: deployed by ${userName(n, e.deployed.createdBy)} ${when(e.deployed.createdAt)}${e.deployed.override ? ' (overriding the gate)' : ''}`;
  if (e.evaluation.ready) return `:white_check_mark: ${name}: ${state === 'rejected' ? 'its approvals are in' : 'ready to deploy'}`;
  if (rejectedIn(e.evaluation)) {
    // Which types rejected it; by whom and why is on their rows below, said once.
    const rejected = [...e.evaluation.requirements.filter((r) => r.rejectedBy.length > 0).map((r) => TYPE_LABEL[r.type]), ...((e.evaluation.release?.rejectedBy.length ?? 0) > 0 ? ['the release'] : [])];
    return `:x: ${name}: rejected (${rejected.join(', ')})`;
  }
  return `:hourglass_flowing_sand: ${name}: waiting for ${missingText(n, e.evaluation.missing)}`;
}

/** Approve release / Reject release… (the release id in the value; the listeners of both read it there). */
export function releaseButtons(releaseId: string): ActionsBlock {
  return actions('release', [
    button('Approve release', actionId(ACTION.releaseApprove, releaseId), releaseId, 'primary'),
    button('Reject release…', actionId(ACTION.releaseReject, releaseId), releaseId, 'danger'),
  ]);
}

/**
 * The interactive approval message: product, version, creator, environments, each required
 * approval type with its status and quorum, and Approve / Reject per type still missing until the
 * version is ready or rejected (then the buttons are gone).
 */
export function approvalMessage(n: Names, card: ApprovalCard): Message {
  const { version: v, product: p } = card;
  const state = cardState(card);
  const title = `${p.name} ${v.version}`;
  // Deployed once it went to every environment it was approved for.
  const deployed = state === 'ready' && card.environments.every((e) => e.deployed);
  const blocks: KnownBlock[] = [
    header(deployed ? `Deployed: ${title}` : state === 'ready' ? `Approved: ${title}` : state === 'rejected' ? `Rejected: ${title}` : `Approval needed: ${title}`),
    fields([
      ['Product', `${esc(p.name)} (team ${esc(teamName(n, p.teamId))})`],
      ['Version', `\`${esc(v.version)}\` · ${v.id}`],
      ['Created by', userName(n, v.createdBy)],
      ['Environment', card.environments.map((e) => esc(e.environment.name)).join(', ') || '—'],
    ]),
  ];
  const envs = card.environments.slice(0, 8);
  blocks.push(context(...envs.map((e) => envLine(n, e, state)), ...(card.environments.length > envs.length ? [`…and ${card.environments.length - envs.length} more`] : [])));
  const runs = Object.values(n.state.githubReviews ?? {}).filter((r) => r.versionId === v.id);
  // GitHub runs waiting on this version (deployment protection rules): where the request came from.
  if (runs.length) blocks.push(context(...runs.slice(-5).map((r) => `GitHub ${esc(r.repository)} · ${esc(r.ref || r.sha.slice(0, 7))} · run ${r.runId} waiting for ${esc(r.environmentName)}`)));
  const open = state === 'pending';
  for (const r of requirements(card)) {
    blocks.push(section(statusLine(n, card, r)));
    // Only where something is missing: a requirement already met needs no more decisions.
    if (open && !r.satisfied) {
      blocks.push(
        actions(`type:${r.type}`, [
          button(`Approve ${TYPE_LABEL[r.type]}`, actionId(ACTION.versionApprove, r.type), v.id, 'primary'),
          button('Reject…', actionId(ACTION.versionReject, r.type), v.id, 'danger'),
        ]),
      );
    }
    // A rejection stands until its approver withdraws it by approving (the core flips their decision).
    if (state === 'rejected' && r.rejectedBy.length) blocks.push(actions(`type:${r.type}`, [button(`Approve ${TYPE_LABEL[r.type]} instead`, actionId(ACTION.versionApprove, r.type), v.id)]));
  }
  const rel = card.environments.map((e) => e.evaluation.release).find((x) => x?.required);
  if (rel) {
    const name = card.release ? `*Release* ${esc(card.release.name)}` : '*Release approval*';
    const line = !rel.releaseId
      ? `:warning: ${name} — required, but the version is in no release`
      : rel.rejectedBy.length
        ? `:x: ${name} — rejected by ${rel.rejectedBy.map((u) => `${userName(n, u)}: ${reasonText(card.release?.decisions.find((d) => d.approverId === u)?.reason ?? 'no reason')}`).join('; ')}`
        : rel.approved
          ? `:white_check_mark: ${name} — approved by ${rel.approvedBy.map((u) => userName(n, u)).join(', ')}`
          : `:hourglass_flowing_sand: ${name} — waiting for release approval`;
    blocks.push(section(line));
    if (open && rel.releaseId) blocks.push(releaseButtons(rel.releaseId));
    if (state === 'rejected' && rel.releaseId && rel.rejectedBy.length) blocks.push(actions('release', [button('Approve release instead', actionId(ACTION.releaseApprove, rel.releaseId), rel.releaseId)]));
  }
  // Deployed: the header and the environment lines say it all.
  const footer = deployed
    ? null
    : state === 'ready'
      ? ':white_check_mark: Every required approval is in: ready to deploy.'
      : state === 'rejected'
        ? ':x: A rejection stands until its approver withdraws it with *Approve … instead* above (or from the App Home, VS Code or the REST API); otherwise, fix it in a new version.'
        : `Approving needs the matching \`version:approve:<type>\` permission in team ${esc(teamName(n, p.teamId))}; ${card.environments.some((e) => e.evaluation.separationOfDuties) ? 'the creator cannot approve their own version.' : 'each approver counts once per type.'}`;
  if (footer) blocks.push(context(footer));
  const text = deployed ? `${title} is deployed` : state === 'ready' ? `${title} is approved` : state === 'rejected' ? `${title} was rejected` : `Approval needed: ${title} (${card.environments.map((e) => e.environment.name).join(', ')})`;
  return { text, blocks };
}
