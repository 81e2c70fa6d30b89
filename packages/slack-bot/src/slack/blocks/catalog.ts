import type { DeploymentRule, Environment, Product, Team } from '@gatehouse/core';
import type { Names } from '../format.js';
import { environmentName, esc, nameAndId, productName, roleName, teamName, userName, when } from '../format.js';
import { formatDuration } from '../parse.js';
import { TYPE_LABEL } from './approval.js';
import type { Message } from './common.js';
import { reply } from './common.js';
import { own } from '../../rest/lookup.js';

/** Pure renderers of the answers about teams, products, environments, rules and settings. */

/** `<#C…>`, or words saying the account's channel is used (and which one, if any). */
export function channelText(channel: string | null | undefined, fallback: string | null, fallbackName: string): string {
  if (channel) return `<#${channel}>`;
  return fallback ? `${fallbackName} (<#${fallback}>)` : `${fallbackName} (none is set)`;
}

/** One member of a team: their roles there (each with `via group` and expiry when so). */
export interface TeamMember {
  userId: string;
  roles: { roleId: string; via: string | null; expiresAt: number | null }[];
}

export function teamsMessage(n: Names, teams: readonly Team[], members: ReadonlyMap<string, number>): Message {
  const products = Object.values(n.state.products);
  const lines = teams.map((t) => {
    const own = products.filter((p) => p.teamId === t.id).map((p) => esc(p.name));
    const count = members.get(t.id) ?? 0;
    return `• ${nameAndId(t.name, t.id)} — ${count === 1 ? '1 member' : `${count} members`}; products: ${own.join(', ') || '—'}`;
  });
  return reply(`*Teams* (${teams.length})\n${lines.join('\n')}\nMembers of one: \`team members <team>\`.`);
}

export function teamMembersMessage(n: Names, team: Team, members: readonly TeamMember[]): Message {
  if (members.length === 0) return reply(`Nobody holds a role in *${esc(team.name)}* (roles granted globally count in every team).`);
  const lines = members.map((m) => {
    const roles = m.roles.map((r) => `${esc(roleName(n, r.roleId))}${r.via ? ` via group ${esc(own(n.state.groups, r.via)?.name ?? r.via)}` : ''}${r.expiresAt ? ` until ${when(r.expiresAt)}` : ''}`);
    return `• ${userName(n, m.userId)} — ${roles.join(', ')}`;
  });
  return reply(`*${esc(team.name)}* — ${members.length === 1 ? '1 member' : `${members.length} members`} with roles in the team (roles granted globally count here too):\n${lines.join('\n')}`);
}

export function productsMessage(n: Names, products: readonly Product[], accountChannel: string | null): Message {
  if (products.length === 0) return reply('No products yet. Create one with `product create <id> <team> <name>`.');
  const lines = products.map((p) => `• ${nameAndId(p.name, p.id)} — team *${esc(teamName(n, p.teamId))}*; approval messages in ${channelText(p.channel, accountChannel, "the account's channel")}`);
  return reply(`*Products* (${products.length})\n${lines.join('\n')}`);
}

function environmentLine(n: Names, e: Environment): string {
  const scope = e.productId ? `for *${esc(productName(n, e.productId))}* only` : 'for every product';
  return `• ${nameAndId(e.name, e.id)} — ${e.production ? 'production, ' : ''}${scope}${e.channel ? `; approval messages in <#${e.channel}>` : ''}`;
}

export function environmentsMessage(n: Names, environments: readonly Environment[]): Message {
  if (environments.length === 0) return reply('No environments yet. Create one with `environment create <id> [production] [for <product>] [name]`.');
  return reply(`*Environments* (${environments.length})\n${environments.map((e) => environmentLine(n, e)).join('\n')}\nWithout a channel of their own, approval messages go to the product's channel, else the account's.`);
}

/** `production (every product)` or `production for Checkout`. */
export function ruleTarget(n: Names, r: Pick<DeploymentRule, 'environmentId' | 'productId'>): string {
  return `*${esc(environmentName(n, r.environmentId))}*${r.productId ? ` for *${esc(productName(n, r.productId))}*` : ' (every product)'}`;
}

/** What a rule asks: `QA ×1, Security ×2; release approval; the creator cannot approve`. */
export function ruleSummary(r: Pick<DeploymentRule, 'requirements' | 'requireReleaseApproval' | 'separationOfDuties'>): string {
  const types = r.requirements.map((q) => `${TYPE_LABEL[q.type]} ×${q.quorum}`).join(', ') || 'no approval type';
  return `${types}${r.requireReleaseApproval ? '; the release must be approved' : ''}; ${r.separationOfDuties ? 'the creator cannot approve their own version' : "the creator's own approval counts"}`;
}

export function rulesMessage(n: Names, rules: readonly DeploymentRule[]): Message {
  if (rules.length === 0) return reply('No deployment rules yet: every version may go anywhere. Set one with `rule set <environment> [product]`.');
  const lines = rules.map((r) => `• ${ruleTarget(n, r)}: ${ruleSummary(r)}`);
  return reply(`*Deployment rules* (${rules.length})\n${lines.join('\n')}\nChange one with \`rule set <environment> [product]\`.`);
}

export function settingsMessage(n: Names, serverChannel: string | null, cmd: string): Message {
  const s = n.state.settings;
  const channel = s.defaultChannel ? `<#${s.defaultChannel}>` : serverChannel ? `none set, so the server's default <#${serverChannel}>` : '*none* — approval messages have nowhere to go';
  return reply(
    [
      `*Settings of ${esc(n.state.name)}*`,
      `• Newcomers get *${esc(roleName(n, s.defaultRoleId))}* in *${esc(teamName(n, s.defaultTeamId))}* — \`${cmd} settings default-role <role>\`, \`${cmd} settings default-team <team>\``,
      `• Approvals channel (approval messages and access requests): ${channel} — \`${cmd} settings channel #channel|none\``,
      `• Access requests last at most ${formatDuration(s.maxAccessDurationMs)}`,
    ].join('\n'),
  );
}
