import { NotFoundError } from '@gatehouse/core';
import { reply } from '../blocks/common.js';
import { usageMessage } from '../blocks/replies.js';
import { esc } from '../format.js';
import { indexOfWord, joinTokens, wordAt } from '../parse.js';
import { requireVersion } from './resolve.js';
import type { Subcommand } from './types.js';

function findEnvironment(ctx: Parameters<Subcommand>[0], word: string | null): string {
  const env = Object.values(ctx.session.account.view.environments).find((e) => e.id === word || e.name.toLowerCase() === word?.toLowerCase());
  if (!env) throw new NotFoundError('environment', word ?? '?');
  return env.id;
}

/** `request-approval <version> <environment>`: the approval message is then posted by the notifier. */
export const requestApproval: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  if (args.length < 2) return usageMessage(ctx.cmd, 'request-approval');
  const { versionId, next } = requireVersion(account, args, 0);
  if (next !== args.length - 1) return usageMessage(ctx.cmd, 'request-approval', 'Name one environment after the version.');
  const envId = findEnvironment(ctx, wordAt(args, next));
  const evaluation = await account.requestApproval(actor, { versionId, environmentId: envId });
  const v = account.view.versions[versionId];
  const where = v?.message ? ` The approval message: ${v.message.permalink ? `<${v.message.permalink}|here>` : `<#${v.message.channel}>`}.` : ' The approvers are being asked in the approvals channel.';
  return reply(evaluation.ready ? `:white_check_mark: Nothing is missing: it may go to ${esc(envId)} now.${where}` : `:hourglass_flowing_sand: Approval requested for ${esc(envId)}; missing: ${evaluation.missing.map(esc).join('; ')}.${where}`);
};

/** `deploy <version> <environment> [override because <reason>]` (override = break-glass, needs gate:override). */
export const deploy: Subcommand = async (ctx, args) => {
  const { account, actor } = ctx.session;
  if (args.length < 2) return usageMessage(ctx.cmd, 'deploy');
  const { versionId, next } = requireVersion(account, args, 0);
  const envId = findEnvironment(ctx, wordAt(args, next));
  const overrideAt = indexOfWord(args, 'override', next + 1);
  const because = indexOfWord(args, 'because', next + 1);
  if (args.length > next + 1 && (overrideAt !== next + 1 || because !== next + 2)) return usageMessage(ctx.cmd, 'deploy', 'After the environment, only `override because <reason>` may follow.');
  const reason = overrideAt > 0 ? joinTokens(args.slice(because + 1)) : null;
  const { deployment } = await account.createDeployment(actor, { versionId, environmentId: envId, override: reason === null ? null : { reason } });
  return reply(deployment.override ? `:rotating_light: Deployed through the blocked gate (override recorded in the audit trail): missing ${deployment.override.missing.map(esc).join('; ')}.` : `:rocket: Deployment \`${deployment.id}\` to ${esc(envId)} recorded: every required approval is in.`);
};
