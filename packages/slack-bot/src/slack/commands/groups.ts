import { reply } from '../blocks/common.js';
import { groupsMessage, usageMessage } from '../blocks/replies.js';
import { assignments, esc, groupName, nameAndId, who } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import { ensureMentioned, requireGroup } from './resolve.js';
import type { Subcommand } from './types.js';

/** `groups` and `group create|add|remove|delete`. */

export const groups: Subcommand = (ctx) => Promise.resolve(groupsMessage(ctx.session.names, Object.values(ctx.session.account.view.groups)));

export const group: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const target = wordAt(args, 1);
  switch (verb) {
    case 'create': {
      if (!target) return usageMessage(ctx.cmd, 'groups', 'Give the group an id.');
      const rest = args.slice(2);
      const members: string[] = [];
      for (const t of rest.filter((x) => x.kind === 'user')) members.push(await ensureMentioned(ctx, t));
      const name = joinTokens(rest.filter((x) => x.kind === 'word')) || target;
      const { groupId } = await account.createGroup(actor, { groupId: target, name, members });
      return reply(`:busts_in_silhouette: Created group ${nameAndId(name, groupId, 'paren')}${members.length ? ` with ${members.map(who).join(', ')}` : ''}. Grant it roles with \`${ctx.cmd} assign group:${groupId} <role> [team]\`.`);
    }
    case 'add':
    case 'remove': {
      if (!target || args[2]?.kind !== 'user') return usageMessage(ctx.cmd, 'groups', 'Name the group, then mention the user.');
      const groupId = requireGroup(account, target);
      const userId = await ensureMentioned(ctx, args[2]);
      const res = verb === 'add' ? await account.addGroupMember(actor, { groupId, userId }) : await account.removeGroupMember(actor, { groupId, userId });
      const done = verb === 'add' ? `added ${who(userId)} to` : `removed ${who(userId)} from`;
      const group = `group ${nameAndId(groupName(names, groupId), groupId)}`;
      const head = res.changed ? `:white_check_mark: ${done[0]?.toUpperCase()}${done.slice(1)} ${group}.` : `Nothing changed: ${who(userId)} ${verb === 'add' ? 'is already in' : 'is not in'} ${group}.`;
      return reply(`${head}\nTheir roles: ${assignments(names, account.roles(userId))}${res.warnings.includes('single_admin') && account.admins().includes(actor.userId) ? '\n:warning: Only one Admin is left.' : ''}`);
    }
    case 'delete': {
      if (!target) return usageMessage(ctx.cmd, 'groups', 'Name the group to delete.');
      const groupId = requireGroup(account, target);
      const group = nameAndId(groupName(names, groupId), groupId);
      await account.deleteGroup(actor, { groupId });
      return reply(`:wastebasket: Deleted group ${group}; its members lost the roles it gave them.`);
    }
    case 'list':
    case undefined:
      return groupsMessage(names, Object.values(account.view.groups));
    default:
      return usageMessage(ctx.cmd, 'groups', `\`${esc(verb)}\` is not a group action.`);
  }
};
