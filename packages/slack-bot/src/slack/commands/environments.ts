import type { Environment } from '@gatehouse/core';
import { environmentsMessage } from '../blocks/catalog.js';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { esc, nameAndId, productName } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import { fallbackChannelText } from './products.js';
import { channelArg, requireEnvironment, requireProduct } from './resolve.js';
import type { Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `environments`, `environment create|production|channel`. */

export const environments: Subcommand = (ctx) => Promise.resolve(environmentsMessage(ctx.session.names, Object.values(ctx.session.account.view.environments)));

export const environment: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  const target = wordAt(args, 1);
  const what = (e: Environment) => `*${esc(e.name)}*${e.productId ? ` (for *${esc(productName(names, e.productId))}*)` : ''}`;
  switch (verb) {
    case undefined:
    case 'list':
      return environments(ctx, args);
    case 'create': {
      if (!target) return usageMessage(ctx.cmd, 'environments', 'Give the environment an id, e.g. `environment create production production Production`.');
      // `[production] [for <product>]` in either order, then the name.
      let i = 2;
      let production = false;
      let productId: string | null = null;
      for (;;) {
        const w = wordAt(args, i)?.toLowerCase();
        if (w === 'production' && !production) {
          production = true;
          i += 1;
        } else if (w === 'for' && productId === null) {
          const p = wordAt(args, i + 1);
          if (!p) return usageMessage(ctx.cmd, 'environments', 'Name the product after `for`.');
          productId = requireProduct(account, p).id;
          i += 2;
        } else break;
      }
      const e = await account.createEnvironment(actor, { environmentId: target, name: joinTokens(args.slice(i)) || target, productId, production });
      const rule = `\`${ctx.cmd} rule set ${e.id}${productId ? ` ${productId}` : ''}\``;
      const scope = e.productId ? `*${esc(productName(names, e.productId))}* only` : 'every product';
      return reply(`:evergreen_tree: Created ${e.production ? 'production ' : ''}environment ${nameAndId(e.name, e.id, 'paren')} for ${scope}. Say which approvals it needs with ${rule}.`);
    }
    case 'production': {
      const flag = wordAt(args, 2)?.toLowerCase();
      if (!target || (flag !== 'on' && flag !== 'off') || args.length > 3) return usageMessage(ctx.cmd, 'environments', 'Name the environment, then `on` or `off`.');
      const before = requireEnvironment(account, target);
      const after = await account.updateEnvironment(actor, { environmentId: before.id, production: flag === 'on' });
      const is = after.production ? 'a production environment' : 'not a production environment';
      return reply(after.production === before.production ? `Nothing changed: ${what(after)} is already ${is}.` : `:white_check_mark: ${what(after)} is now ${is}.`);
    }
    case 'channel': {
      const channel = channelArg(args[2]);
      if (!target || channel === undefined || args.length > 3) return usageMessage(ctx.cmd, 'environments', 'Name the environment, then `#channel` (pick it with #) or `none`.');
      const before = requireEnvironment(account, target);
      const after = await account.updateEnvironment(actor, { environmentId: before.id, channel });
      const product = after.productId ? own(account.view.products, after.productId) : undefined;
      const fallback = fallbackChannelText(ctx, '').trim();
      const now = after.channel ? `<#${after.channel}>` : product ? (product.channel ? `the product's channel, <#${product.channel}>` : fallback) : `each product's channel, else ${fallback}`;
      if ((after.channel ?? null) === (before.channel ?? null)) return reply(`Nothing changed: approval messages for ${what(after)} already go to ${now}.`);
      return reply(`:mega: Approval messages for ${what(after)} now go to ${now}.`);
    }
    default:
      return usageMessage(ctx.cmd, 'environments', `\`${esc(verb)}\` is not an environment action.`);
  }
};
