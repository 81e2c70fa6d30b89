import type { Release } from '@gatehouse/core';
import type { KnownBlock } from '@slack/types';
import type { Names } from '../format.js';
import { esc, nameAndId, productName, reasonText, teamName, userName, when, who } from '../format.js';
import { releaseButtons } from './approval.js';
import type { Message } from './common.js';
import { LIMITS, context, fields, header, reply, section } from './common.js';
import { own } from '../../rest/lookup.js';

/** Pure renderers of releases: the list and one release with Approve / Reject release. */

function stateOf(r: Release): string {
  return r.archived ? 'archived' : r.locked ? 'locked' : 'open';
}

function decisionsText(r: Release): string {
  if (r.decisions.length === 0) return 'no decision yet';
  return r.decisions.map((d) => (d.decision === 'approve' ? `approved by ${who(d.approverId)}` : `rejected by ${who(d.approverId)}: ${reasonText(d.reason ?? '')}`)).join('; ');
}

function versionsOf(n: Names, r: Release): string[] {
  return Object.values(n.state.versions)
    .filter((v) => v.releaseId === r.id)
    .map((v) => v.version);
}

export function releasesMessage(n: Names, releases: readonly Release[], productId: string | null): Message {
  const scope = productId ? ` of *${esc(productName(n, productId))}*` : '';
  if (releases.length === 0) return reply(`No releases${scope} yet. Create one with \`release create <product> <name>\`.`);
  const lines = releases.map((r) => {
    const count = versionsOf(n, r).length;
    return `• ${nameAndId(r.name, r.id)} — ${esc(productName(n, r.productId))}; ${count === 1 ? '1 version' : `${count} versions`}; ${stateOf(r)}; ${decisionsText(r)}`;
  });
  return reply(`*Releases*${scope} (${releases.length})\n${lines.join('\n')}\nOne with its buttons: \`release <release>\`.`);
}

/** One release: product, state, versions, decisions, and Approve / Reject release unless it is archived. */
export function releaseMessage(n: Names, r: Release): Message {
  const product = own(n.state.products, r.productId);
  const versions = versionsOf(n, r);
  const shown = versions.slice(0, 40).map((v) => `\`${esc(v)}\``);
  const blocks: KnownBlock[] = [
    header(`Release ${r.name}`),
    fields([
      ['Product', `${esc(productName(n, r.productId))}${product ? ` (team ${esc(teamName(n, product.teamId))})` : ''}`],
      ['State', stateOf(r)],
      ['Created by', `${userName(n, r.createdBy)}, ${when(r.createdAt)}`],
      ['Decisions', decisionsText(r)],
    ]),
    section(`*Versions* (${versions.length}): ${shown.join(', ') || 'none yet — `release add <release> <version>`'}${versions.length > shown.length ? ` …and ${versions.length - shown.length} more` : ''}`),
  ];
  if (!r.archived) blocks.push(releaseButtons(r.id));
  blocks.push(context(r.archived ? 'Archived: restore it to decide on it.' : `Approving needs \`release:approve\` in team ${esc(product ? teamName(n, product.teamId) : '?')}; a rejection needs a reason.`));
  return { text: `Release ${r.name} (${stateOf(r)})`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}
