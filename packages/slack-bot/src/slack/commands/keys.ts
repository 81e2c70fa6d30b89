import { reply } from '../blocks/common.js';
import { createdKeyMessage, keysMessage, usageMessage } from '../blocks/replies.js';
import { esc, userName } from '../format.js';
import { requireUserRef } from './resolve.js';
import { joinTokens, wordAt } from '../parse.js';
import type { Subcommand } from './types.js';

/** `keys [all]`, `keys create [token] <name> [for @user|<service account>]`, `keys revoke <id>`. The secret goes to the asker only (ephemeral). */
export const keys: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  switch (verb) {
    case undefined:
    case 'list':
      return keysMessage(names, account.listKeys(actor, actor.userId), false);
    case 'all':
      return keysMessage(names, account.listKeys(actor), true);
    case 'create': {
      const token = wordAt(args, 1)?.toLowerCase() === 'token';
      const rest = args.slice(token ? 2 : 1);
      // `<name…> for <owner>`: only when a name comes before `for` (`keys create token for vscode` is a token named "for vscode").
      const forAt = rest.length >= 3 && wordAt(rest, rest.length - 2)?.toLowerCase() === 'for' ? rest.length - 2 : -1;
      const ownerId = forAt > 0 ? requireUserRef(account, rest[forAt + 1]) : null;
      const name = joinTokens(forAt > 0 ? rest.slice(0, forAt) : rest);
      if (!name) return usageMessage(ctx.cmd, 'keys', 'Give the key a name, e.g. `keys create ci-deploy`.');
      const created = await ctx.deps.gatehouse.createKey(account, actor, { name, kind: token ? 'personal_token' : 'api_key', ...(ownerId ? { ownerId } : {}) });
      return createdKeyMessage(created, ownerId && ownerId !== actor.userId ? userName(names, ownerId) : null);
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
