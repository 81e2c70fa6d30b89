import { settingsMessage } from '../blocks/catalog.js';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { esc, roleName, teamName } from '../format.js';
import { wordAt } from '../parse.js';
import { channelArg, requireRole, requireTeam } from './resolve.js';
import type { Subcommand } from './types.js';

/** `settings` shows the account's settings; `settings default-role|default-team|channel` change them. */
export const settings: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const before = account.view.settings;
  switch (verb) {
    case undefined:
      return settingsMessage(names, ctx.deps.config.GATEHOUSE_DEFAULT_CHANNEL || null, ctx.cmd);
    case 'default-role': {
      if (args.length < 2) return usageMessage(ctx.cmd, 'settings', 'Name the role newcomers get.');
      const { role, next } = requireRole(account, args, 1);
      if (next !== args.length) return usageMessage(ctx.cmd, 'settings', 'Name one role.');
      await account.updateSettings(actor, { defaultRoleId: role.id });
      const where = esc(teamName(names, account.view.settings.defaultTeamId));
      return reply(before.defaultRoleId === role.id ? `Nothing changed: newcomers already get *${esc(role.name)}*.` : `:white_check_mark: Newcomers now get *${esc(role.name)}* in *${where}* (was *${esc(roleName(names, before.defaultRoleId))}*). People already here keep their roles.`);
    }
    case 'default-team': {
      const word = wordAt(args, 1);
      if (!word || args.length > 2) return usageMessage(ctx.cmd, 'settings', 'Name one team.');
      const teamId = requireTeam(account, word);
      await account.updateSettings(actor, { defaultTeamId: teamId });
      const name = esc(teamName(names, teamId));
      return reply(before.defaultTeamId === teamId ? `Nothing changed: newcomers already land in *${name}*.` : `:white_check_mark: Newcomers now land in *${name}* with *${esc(roleName(names, account.view.settings.defaultRoleId))}* (was *${esc(teamName(names, before.defaultTeamId))}*).`);
    }
    case 'channel': {
      const channel = channelArg(args[1]);
      if (channel === undefined || args.length > 2) return usageMessage(ctx.cmd, 'settings', 'Pick the channel with # (e.g. `settings channel #approvals`), or say `none`.');
      await account.updateSettings(actor, { defaultChannel: channel });
      const server = ctx.deps.config.GATEHOUSE_DEFAULT_CHANNEL;
      const now = channel ? `<#${channel}>` : server ? `the server's default, <#${server}>` : 'nowhere until a channel is set';
      if ((before.defaultChannel ?? null) === channel) return reply(`Nothing changed: approval messages and access requests already go to ${now}.`);
      return reply(`:mega: Approval messages and access requests now go to ${now} (unless a product or environment has a channel of its own). ${channel ? 'For a private channel, invite the Gatehouse app to it.' : ''}`.trim());
    }
    default:
      return usageMessage(ctx.cmd, 'settings', `\`${esc(verb)}\` is not a setting.`);
  }
};
