import { reply } from '../blocks/common.js';
import { createdKeyMessage, keysMessage, usageMessage } from '../blocks/replies.js';
import { esc } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import type { Subcommand } from './types.js';

/** `keys [all]`, `keys create [token] <name>`, `keys revoke <id>`. The secret goes to the asker only (ephemeral). */
export const keys: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  switch (verb) {
    case undefined:
    case 'list':
      return keysMessage(account.listKeys(actor, actor.userId), false);
    case 'all':
      return keysMessage(account.listKeys(actor), true);
    case 'create': {
      const token = wordAt(args, 1)?.toLowerCase() === 'token';
      const name = joinTokens(args.slice(token ? 2 : 1));
      if (!name) return usageMessage(ctx.cmd, 'keys', 'Give the key a name, e.g. `keys create ci-deploy`.');
      const created = await ctx.deps.gatehouse.createKey(account, actor, { name, kind: token ? 'personal_token' : 'api_key' });
      return createdKeyMessage(created);
    }
    case 'revoke': {
      const keyId = wordAt(args, 1);
      if (!keyId) return usageMessage(ctx.cmd, 'keys', 'Name the key id (see `keys`).');
      await account.revokeKey(actor, { keyId });
      return reply(`:no_entry_sign: Revoked key \`${esc(keyId)}\`: it stops working now.`);
    }
    default:
      return usageMessage(ctx.cmd, 'keys', `\`${esc(verb)}\` is not a keys action.`);
  }
};
