import { reply } from '../blocks/common.js';
import { approvalsMessage } from '../blocks/home.js';
import { setChannelHint } from '../blocks/dm.js';
import { usageMessage } from '../blocks/replies.js';
import { approvalChannel } from '../channels.js';
import { esc, missingText } from '../format.js';
import { waitingFor } from '../home.js';
import { indexOfWord, joinTokens, wordAt } from '../parse.js';
import { requireEnvironment, requireVersion } from './resolve.js';
import type { Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `request-approval <version> <environment>`: the approval message is then posted by the notifier. */
export const requestApproval: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  if (args.length < 2) return usageMessage(ctx.cmd, 'request-approval');
  const { versionId, next } = requireVersion(account, args, 0);
  if (next !== args.length - 1) return usageMessage(ctx.cmd, 'request-approval', 'Name one environment after the version.');
  const env = requireEnvironment(account, wordAt(args, next));
  const evaluation = await account.requestApproval(actor, { versionId, environmentId: env.id });
  const v = own(account.view.versions, versionId);
  const channel = v ? approvalChannel(account.view, v.productId, v.requestedFor, ctx.deps.config.GATEHOUSE_DEFAULT_CHANNEL) : null;
  const where = v?.message
    ? ` The approval message: ${v.message.permalink ? `<${v.message.permalink}|here>` : `<#${v.message.channel}>`}.`
    : channel
      ? ` The approval message goes to <#${channel}>.`
      : ` No channel is set for approval messages, so nobody is asked yet. ${setChannelHint(ctx.cmd)}`;
  const name = esc(env.name);
  return reply(evaluation.ready ? `:white_check_mark: Nothing is missing: it may go to ${name} now.${where}` : `:hourglass_flowing_sand: Approval requested for ${name}; missing: ${missingText(ctx.session.names, evaluation.missing, false)}.${where}`);
};

/** `deploy <version> <environment> [override because <reason>]` (override = break-glass, needs gate:override). */
export const deploy: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  if (args.length < 2) return usageMessage(ctx.cmd, 'deploy');
  const { versionId, next } = requireVersion(account, args, 0);
  const env = requireEnvironment(account, wordAt(args, next));
  const overrideAt = indexOfWord(args, 'override', next + 1);
  const because = indexOfWord(args, 'because', next + 1);
  if (args.length > next + 1 && (overrideAt !== next + 1 || because !== next + 2)) return usageMessage(ctx.cmd, 'deploy', 'After the environment, only `override because <reason>` may follow.');
  const reason = overrideAt > 0 ? joinTokens(args.slice(because + 1)) : null;
  const { deployment } = await account.createDeployment(actor, { versionId, environmentId: env.id, override: reason === null ? null : { reason } });
  return reply(deployment.override ? `:rotating_light: Deployed through the blocked gate (override recorded in the audit trail): missing ${missingText(ctx.session.names, deployment.override.missing, false)}.` : `:rocket: Deployment to *${esc(env.name)}* recorded: every required approval is in.`);
};

/** `approvals [[page] <n>]`: what waits for the asker's approval (the App Home's list), 10 a page. */
export const approvals: Subcommand = (ctx, args) => {
  const rest = wordAt(args, 0)?.toLowerCase() === 'page' ? args.slice(1) : args;
  const word = rest.length === 0 ? '1' : wordAt(rest, 0);
  const page = word !== null && /^\d{1,6}$/.test(word) ? Number(word) : null;
  if (page === null || rest.length > 1) return Promise.resolve(usageMessage(ctx.cmd, 'approvals', 'Name a page by its number, e.g. `approvals 2`.'));
  const { account, actor, names } = ctx.session;
  return Promise.resolve(approvalsMessage(names, waitingFor(account, actor.userId), page, ctx.cmd));
};
