import type { Subject } from '@gatehouse/core';
import { GatehouseError, NotFoundError } from '@gatehouse/core';
import { meOf } from '../../rest/me.js';
import { reply } from '../blocks/common.js';
import { assignRoleView, roleEditorView } from '../blocks/modals.js';
import { assignedText, holdersMessage, roleMessage, rolesMessage, usageMessage, whoamiMessage } from '../blocks/replies.js';
import type { Names } from '../format.js';
import { assignments, esc, groupName, nameAndId, roleName, teamName, who } from '../format.js';
import type { Token } from '../parse.js';
import { indexOfWord, joinTokens, parseDuration, wordAt } from '../parse.js';
import { ensureMentioned, matchRole, requireRole, requireTeam } from './resolve.js';
import type { CommandContext, Subcommand } from './types.js';

/** whoami, roles, role …, holders, assign, revoke. */

export const whoami: Subcommand = (ctx) => {
  const { account, actor } = ctx.session;
  // The single-Admin warning is for those who can act on it.
  const admins = account.admins();
  return Promise.resolve(whoamiMessage(meOf(account, actor.userId, actor), admins.length === 1 && admins.includes(actor.userId)));
};

export const roles: Subcommand = (ctx) => Promise.resolve(rolesMessage(ctx.session.account.listRoles()));

export const holders: Subcommand = (ctx, args) => {
  if (args.length === 0) return Promise.resolve(usageMessage(ctx.cmd, 'holders'));
  const { role } = requireRole(ctx.session.account, args, 0);
  return Promise.resolve(holdersMessage(ctx.session.names, role, ctx.session.account.holders(role.id)));
};

/** `role <name>` shows it; `role create|edit|rename|delete` manage custom roles. */
export const role: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  switch (verb) {
    case undefined:
      return usageMessage(ctx.cmd, 'role');
    case 'create':
      await ctx.openModal(roleEditorView({ ...ctx.replyTo, roleId: null }, null));
      return null;
    case 'edit': {
      if (args.length < 2) return usageMessage(ctx.cmd, 'role', 'Name the role to edit.');
      const { role: r } = requireRole(account, args, 1);
      if (r.kind === 'static') throw new GatehouseError('static_role_immutable', `${r.name} is a static role: it cannot be edited, renamed or deleted`, { roleId: r.id });
      await ctx.openModal(roleEditorView({ ...ctx.replyTo, roleId: r.id }, r));
      return null;
    }
    case 'rename': {
      const to = indexOfWord(args, 'to', 2);
      if (to < 0 || to === args.length - 1) return usageMessage(ctx.cmd, 'role', 'Say the new name after `to`.');
      const { role: r } = requireRole(account, args.slice(0, to), 1);
      const name = joinTokens(args.slice(to + 1));
      const after = await account.updateRole(actor, { roleId: r.id, name });
      return reply(`:pencil2: Renamed *${esc(r.name)}* to *${esc(after.name)}*.`);
    }
    case 'delete': {
      if (args.length < 2) return usageMessage(ctx.cmd, 'role', 'Name the role to delete.');
      const { role: r } = requireRole(account, args, 1);
      await account.deleteRole(actor, { roleId: r.id });
      return reply(`:wastebasket: Deleted the custom role *${esc(r.name)}*.`);
    }
    default:
      return roleMessage(requireRole(account, args, 0).role);
  }
};

/** `@user` or `group:<id>`. */
async function subjectOf(ctx: CommandContext, token: Token | undefined): Promise<Subject> {
  if (token?.kind === 'word' && token.text.startsWith('group:')) return { type: 'group', id: token.text.slice('group:'.length) };
  return { type: 'user', id: await ensureMentioned(ctx, token) };
}

function subjectText(n: Names, s: Subject): string {
  return s.type === 'user' ? who(s.id) : `group ${nameAndId(groupName(n, s.id), s.id)}`;
}

/** Parses `<role…> [team] [for <duration>]` from `from`. */
function roleTeamDuration(ctx: CommandContext, args: readonly Token[], from: number, allowDuration: boolean): { roleId: string; teamId: string | null; durationMs: number | null } | { problem: string } {
  const { account } = ctx.session;
  const forAt = allowDuration ? indexOfWord(args, 'for', from) : -1;
  const head = forAt < 0 ? args : args.slice(0, forAt);
  const m = matchRole(account, head, from);
  if (!m) throw new NotFoundError('role', wordAt(head, from) ?? '?');
  let teamId: string | null = null;
  if (m.next < head.length) {
    // What follows the role is the team (one word).
    if (m.next !== head.length - 1) return { problem: `I could not read \`${esc(joinTokens(head.slice(m.next)))}\` as a team.` };
    teamId = requireTeam(account, wordAt(head, m.next) ?? '');
  }
  let durationMs: number | null = null;
  if (forAt >= 0) {
    durationMs = parseDuration(joinTokens(args.slice(forAt + 1)));
    if (durationMs === null) return { problem: 'Durations look like `30m`, `8h`, `2d` or `1w`.' };
  }
  return { roleId: m.role.id, teamId, durationMs };
}

/** `assign` alone opens the form; `assign @user <role> [team] [for <duration>]` assigns directly. */
export const assign: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  if (args.length === 0) {
    await ctx.openModal(assignRoleView(ctx.replyTo, account.listRoles(), Object.values(account.view.teams)));
    return null;
  }
  if (args.length < 2 || (args[0]?.kind !== 'user' && !wordAt(args, 0)?.startsWith('group:'))) return usageMessage(ctx.cmd, 'assign', args[0]?.kind === 'user' ? 'Name the role.' : 'Mention the user first.');
  const parsed = roleTeamDuration(ctx, args, 1, true);
  if ('problem' in parsed) return usageMessage(ctx.cmd, 'assign', parsed.problem);
  const subject = await subjectOf(ctx, args[0]);
  const asked = parsed.durationMs ? ctx.deps.gatehouse.clock.now() + parsed.durationMs : null;
  const res = await account.assignRole(actor, { subject, roleId: parsed.roleId, teamId: parsed.teamId, ...(parsed.durationMs ? { durationMs: parsed.durationMs } : {}) });
  const head = assignedText(names, subjectText(names, subject), parsed.roleId, parsed.teamId, res, asked);
  // A repeat that changed nothing says so and stops there.
  if (!res.changed) return reply(head);
  const roles = subject.type === 'user' ? `\nTheir roles: ${assignments(names, account.roles(subject.id))}` : '';
  return reply(`${head}${roles}${warn(res.warnings, canMakeAdmin(ctx))}`);
};

export const revoke: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  if (args.length < 2 || (args[0]?.kind !== 'user' && !wordAt(args, 0)?.startsWith('group:'))) return usageMessage(ctx.cmd, 'revoke', args.length ? undefined : 'Mention the user and name the role.');
  const parsed = roleTeamDuration(ctx, args, 1, false);
  if ('problem' in parsed) return usageMessage(ctx.cmd, 'revoke', parsed.problem);
  const subject = await subjectOf(ctx, args[0]);
  const res = await account.revokeRole(actor, { subject, roleId: parsed.roleId, teamId: parsed.teamId });
  const where = parsed.teamId === null ? 'globally' : `in *${esc(teamName(names, parsed.teamId))}*`;
  const roles = subject.type === 'user' ? `\nTheir roles: ${assignments(names, account.roles(subject.id))}` : '';
  return reply(`:white_check_mark: Revoked *${esc(roleName(names, parsed.roleId))}* ${where} from ${subjectText(names, subject)}.${roles}${warn(res.warnings, canMakeAdmin(ctx))}`);
};

/** Whether the asker could act on the single-Admin warning: only an Admin makes an Admin. */
function canMakeAdmin(ctx: CommandContext): boolean {
  return ctx.session.account.admins().includes(ctx.session.actor.userId);
}

function warn(warnings: readonly string[], canAct: boolean): string {
  return canAct && warnings.includes('single_admin') ? '\n:warning: Only one Admin is left in this account: make a second one.' : '';
}
