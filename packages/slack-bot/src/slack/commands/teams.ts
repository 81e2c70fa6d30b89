import type { Account } from '@gatehouse/core';
import type { TeamMember } from '../blocks/catalog.js';
import { teamMembersMessage, teamsMessage } from '../blocks/catalog.js';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { esc, nameAndId } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import { requireTeam } from './resolve.js';
import type { Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `teams`, `team create|rename|members`. */

/** Users holding a role in the team through a grant there (directly or via a group), with those roles. */
function membersOf(account: Account, teamId: string): TeamMember[] {
  const byUser = new Map<string, TeamMember>();
  for (const role of account.listRoles()) {
    for (const h of account.holders(role.id)) {
      if (h.teamId !== teamId) continue;
      const m = byUser.get(h.userId) ?? { userId: h.userId, roles: [] };
      m.roles.push({ roleId: role.id, via: h.via, expiresAt: h.expiresAt });
      byUser.set(h.userId, m);
    }
  }
  return [...byUser.values()];
}

export const teams: Subcommand = (ctx) => {
  const { account, names } = ctx.session;
  const list = Object.values(account.view.teams);
  const counts = new Map(list.map((t) => [t.id, membersOf(account, t.id).length]));
  return Promise.resolve(teamsMessage(names, list, counts));
};

export const team: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const target = wordAt(args, 1);
  const name = joinTokens(args.slice(2));
  switch (verb) {
    case undefined:
    case 'list':
      return teams(ctx, args);
    case 'create': {
      if (!target || !name) return usageMessage(ctx.cmd, 'teams', 'Give the team an id and a name, e.g. `team create payments Payments`.');
      const { teamId } = await account.createTeam(actor, { teamId: target, name });
      return reply(`:busts_in_silhouette: Created team ${nameAndId(name, teamId, 'paren')}. Next: a product for it (\`${ctx.cmd} product create <id> ${teamId} <name>\`) or roles in it (\`${ctx.cmd} assign @user <role> ${teamId}\`).`);
    }
    case 'rename': {
      if (!target || !name) return usageMessage(ctx.cmd, 'teams', 'Name the team, then its new name.');
      const teamId = requireTeam(account, target);
      const before = own(account.view.teams, teamId)?.name ?? teamId;
      const after = await account.renameTeam(actor, { teamId, name });
      return reply(after.name === before ? `Nothing changed: the team is already called *${esc(before)}*.` : `:pencil2: Renamed team *${esc(before)}* to *${esc(after.name)}*.`);
    }
    case 'members': {
      if (!target || args.length > 2) return usageMessage(ctx.cmd, 'teams', 'Name one team.');
      const t = own(account.view.teams, requireTeam(account, target));
      return t ? teamMembersMessage(names, t, membersOf(account, t.id)) : usageMessage(ctx.cmd, 'teams');
    }
    default:
      return usageMessage(ctx.cmd, 'teams', `\`${esc(verb)}\` is not a team action.`);
  }
};
