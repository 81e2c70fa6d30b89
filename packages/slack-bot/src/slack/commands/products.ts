import { productsMessage } from '../blocks/catalog.js';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { accountChannel } from '../channels.js';
import { esc, nameAndId, teamName } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import { channelArg, requireProduct, requireTeam } from './resolve.js';
import type { CommandContext, Subcommand } from './types.js';

/** `products`, `product create|team|channel`. */

/** Where approval messages go when a product or environment has no channel of its own, in words. */
export function fallbackChannelText(ctx: CommandContext, what: string): string {
  const channel = accountChannel(ctx.session.account.view, ctx.deps.config.GATEHOUSE_DEFAULT_CHANNEL);
  return channel ? `${what} the account's approvals channel, <#${channel}>` : `${what} the account's approvals channel, but none is set: \`${ctx.cmd} settings channel #channel\``;
}

export const products: Subcommand = (ctx) => {
  const { account, names } = ctx.session;
  return Promise.resolve(productsMessage(names, Object.values(account.view.products), accountChannel(account.view, ctx.deps.config.GATEHOUSE_DEFAULT_CHANNEL)));
};

export const product: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const target = wordAt(args, 1);
  switch (verb) {
    case undefined:
    case 'list':
      return products(ctx, args);
    case 'create': {
      const teamWord = wordAt(args, 2);
      if (!target || !teamWord) return usageMessage(ctx.cmd, 'products', 'Give the product an id, its team and a name, e.g. `product create checkout payments Checkout`.');
      const teamId = requireTeam(account, teamWord);
      const p = await account.createProduct(actor, { productId: target, teamId, name: joinTokens(args.slice(3)) || target });
      return reply(
        `:package: Created product ${nameAndId(p.name, p.id, 'paren')} in team *${esc(teamName(names, p.teamId))}*; ${fallbackChannelText(ctx, 'its approval messages go to')}. Versions are created by CI over the REST API (\`POST /api/v1/versions\`).`,
      );
    }
    case 'team': {
      const teamWord = wordAt(args, 2);
      if (!target || !teamWord || args.length > 3) return usageMessage(ctx.cmd, 'products', 'Name the product, then the team to move it to.');
      const before = requireProduct(account, target);
      const after = await account.updateProduct(actor, { productId: before.id, teamId: requireTeam(account, teamWord) });
      if (after.teamId === before.teamId) return reply(`Nothing changed: *${esc(before.name)}* is already in team *${esc(teamName(names, before.teamId))}*.`);
      return reply(`:truck: Moved *${esc(after.name)}* from team *${esc(teamName(names, before.teamId))}* to *${esc(teamName(names, after.teamId))}*: roles in *${esc(teamName(names, after.teamId))}* now decide who may approve and deploy it.`);
    }
    case 'channel': {
      const channel = channelArg(args[2]);
      if (!target || channel === undefined || args.length > 3) return usageMessage(ctx.cmd, 'products', 'Name the product, then `#channel` (pick it with #) or `none`.');
      const before = requireProduct(account, target);
      const after = await account.updateProduct(actor, { productId: before.id, channel });
      const now = after.channel ? `<#${after.channel}>` : fallbackChannelText(ctx, '');
      if (after.channel === before.channel) return reply(`Nothing changed: approval messages for *${esc(after.name)}* already go to ${now.trim()}.`);
      return reply(`:mega: Approval messages for *${esc(after.name)}* now go to ${now.trim()} (an environment's own channel comes first).`);
    }
    default:
      return usageMessage(ctx.cmd, 'products', `\`${esc(verb)}\` is not a product action.`);
  }
};
