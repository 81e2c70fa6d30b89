import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { assignments, esc, nameAndId, roleName, teamName, userName, who } from '../format.js';
import { explainError } from '../messages.js';
import type { Token } from '../parse.js';
import { indexOfWord, joinTokens, wordAt } from '../parse.js';
import { slackProfile } from '../users.js';
import { findTeam, matchRole, requireUserRef } from './resolve.js';
import type { CommandContext, Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `user add|deactivate|reactivate` and `service-account create`. */

/** A Slack user id as typed (`U0123ABC`), which users.info can name. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const user: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const target = args[1];
  switch (verb) {
    case 'add': {
      if (!target || target.kind === 'channel') return usageMessage(ctx.cmd, 'users', 'Mention the user, or give their Slack user id.');
      const userId = target.kind === 'user' ? target.id : target.text;
      const known = Object.hasOwn(account.view.users, userId);
      let name = joinTokens(args.slice(2));
      if (!name && !known && (target.kind === 'user' || SLACK_USER_ID.test(userId))) {
        const profile = await slackProfile(ctx.client, userId, target.kind === 'user' ? target.name : null);
        if (profile.deleted) throw new GatehouseError('user_inactive', `${userId} is deactivated in Slack`, { userId });
        name = profile.name;
      }
      const u = await account.addUser(actor, { userId, name });
      const roles = assignments(names, account.roles(u.id));
      if (known) return reply(`${who(u.id)} was already known to Gatehouse${u.name ? ` as *${esc(u.name)}*` : ''}. Their roles: ${roles}`);
      return reply(`:bust_in_silhouette: Added ${who(u.id)}${u.name ? ` (*${esc(u.name)}*)` : ''}. They start with ${roles}; give them more with \`${ctx.cmd} assign ${who(u.id)} <role> [team]\`.`);
    }
    case 'deactivate': {
      if (!target || args.length > 2) return usageMessage(ctx.cmd, 'users', 'Mention the user to deactivate.');
      const userId = requireUserRef(account, target);
      const res = await account.deactivateUser(actor, { userId });
      if (!res.changed) return reply(`Nothing changed: ${userName(names, userId)} is already deactivated.`);
      return reply(`:no_entry_sign: Deactivated ${userName(names, userId)}: they hold no permissions now and their keys stop working. \`${ctx.cmd} user reactivate\` gives their roles back.`);
    }
    case 'reactivate': {
      if (!target || args.length > 2) return usageMessage(ctx.cmd, 'users', 'Mention the user to reactivate.');
      const userId = requireUserRef(account, target);
      const was = own(account.view.users, userId)?.active;
      await account.reactivateUser(actor, { userId });
      if (was) return reply(`Nothing changed: ${userName(names, userId)} is active.`);
      return reply(`:white_check_mark: Reactivated ${userName(names, userId)}; their roles count again: ${assignments(names, account.roles(userId))}`);
    }
    default:
      return usageMessage(ctx.cmd, 'users', verb ? `\`${esc(verb)}\` is not a user action.` : undefined);
  }
};

/** `<role> [team]` items, e.g. `developer payments qa` (an `and` between items is fine). */
function rolesFrom(ctx: CommandContext, tokens: readonly Token[]): { roleId: string; teamId: string | null }[] | { problem: string } {
  const out: { roleId: string; teamId: string | null }[] = [];
  for (let i = 0; i < tokens.length; ) {
    if (wordAt(tokens, i)?.toLowerCase() === 'and') {
      i += 1;
      continue;
    }
    const m = matchRole(ctx.session.account, tokens, i);
    if (!m) return { problem: `I could not read \`${esc(wordAt(tokens, i) ?? '?')}\` as a role (\`roles\` lists them).` };
    const team = findTeam(ctx.session.account, wordAt(tokens, m.next) ?? '');
    out.push({ roleId: m.role.id, teamId: team });
    i = team ? m.next + 1 : m.next;
  }
  return out;
}

/** `service-account create <id> <name…> [with <role> [team]…]`: a user without Slack, for CI keys. */
export const serviceAccount: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const id = wordAt(args, 1);
  if (verb !== 'create' || !id) return usageMessage(ctx.cmd, 'service-account', verb && verb !== 'create' ? `\`${esc(verb)}\` is not a service-account action.` : 'Give the service account an id and a name.');
  const withAt = indexOfWord(args, 'with', 2);
  const name = joinTokens(args.slice(2, withAt < 0 ? args.length : withAt)) || id;
  const roles = withAt < 0 ? [] : rolesFrom(ctx, args.slice(withAt + 1));
  if ('problem' in roles) return usageMessage(ctx.cmd, 'service-account', roles.problem);
  if (withAt >= 0 && roles.length === 0) return usageMessage(ctx.cmd, 'service-account', 'Name the roles after `with`.');
  if (Object.hasOwn(account.view.users, id)) throw new GatehouseError('conflict', `user '${id}' already exists`, { userId: id });
  await account.addUser(actor, { userId: id, name, serviceAccount: true });
  const head = `:robot_face: Created service account ${nameAndId(name, id, 'paren')}`;
  const keyHint = `Its key for CI: \`${ctx.cmd} keys create <key name> for ${id}\` (the secret is shown once, to you).`;
  for (const r of roles) {
    try {
      await account.assignRole(actor, { subject: { type: 'user', id }, roleId: r.roleId, teamId: r.teamId });
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      const what = `*${esc(roleName(names, r.roleId))}* ${r.teamId ? `in *${esc(teamName(names, r.teamId))}*` : 'globally'}`;
      return reply(`${head}, but it did not get ${what}:\n${explainError(err, names, ctx.cmd)}\nIts roles: ${assignments(names, account.roles(id))}`);
    }
  }
  return reply(`${head} with ${assignments(names, account.roles(id))}. ${keyHint}`);
};
