import { auditMessage, reviewMessage, usageMessage, verifyMessage } from '../blocks/replies.js';
import type { Subcommand } from './types.js';

/** `audit [@user]`, `review`, `verify`. */

const AUDIT_LINES = 25;

export const audit: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const first = args[0];
  if (args.length > 1 || (first && first.kind !== 'user')) return usageMessage(ctx.cmd, 'audit', 'Mention one user, or nothing for the whole account.');
  const userId = first?.kind === 'user' ? first.id : null;
  const events = await account.auditTrail(actor, { ...(userId ? { userId } : {}), limit: AUDIT_LINES });
  return auditMessage(names, events, userId);
};

export const review: Subcommand = async (ctx) => reviewMessage(ctx.session.names, await ctx.session.account.accessReview(ctx.session.actor));

export const verify: Subcommand = async (ctx) => verifyMessage(await ctx.session.account.verifyAudit(ctx.session.actor));
