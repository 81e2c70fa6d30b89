import type { ConfigTarget } from '../../config/targets.js';
import { localTarget, remoteTarget } from '../../config/targets.js';
import { runConfig } from '../../config/command.js';
import type { CliContext, OptionSpecs } from '../registry.js';
import { CliError, PROGRAM, defineCommand } from '../registry.js';

const AS = { type: 'string', value: 'user id', help: 'the Admin who acts when the store is reached directly (with GATEHOUSE_URL and GATEHOUSE_TOKEN the key\'s owner acts)' } as const;
const PRUNE = { type: 'boolean', help: 'also remove what the file leaves out (never the last Admin, a static role, or teams, products and environments)' } as const;

/** The server (GATEHOUSE_URL + GATEHOUSE_TOKEN), or the store as the user named by --as. */
async function target(ctx: CliContext<OptionSpecs>, as: string | undefined): Promise<ConfigTarget> {
  const { GATEHOUSE_URL: url, GATEHOUSE_TOKEN: token, GATEHOUSE_STORE: store } = ctx.config;
  if (url || token) {
    if (!url || !token) throw new CliError('set both GATEHOUSE_URL and GATEHOUSE_TOKEN to talk to a server (or neither, to use the store with --as <user id>)');
    if (as) ctx.note(`--as ${as} is ignored: with GATEHOUSE_TOKEN the key's owner acts`);
    return remoteTarget(url, token);
  }
  if (!as) throw new CliError(`name the acting Admin: ${PROGRAM} config … --as <user id> (or set GATEHOUSE_URL and GATEHOUSE_TOKEN to go through a server)`);
  return localTarget(await ctx.account(), { userId: as }, store);
}

function io(ctx: CliContext<OptionSpecs>) {
  return { out: (t: string) => ctx.out(t.replace(/\n$/, '')), err: (t: string) => ctx.note(t.replace(/\n$/, '')) };
}

export const configExportCommand = defineCommand({
  name: 'config export',
  summary: "print the account's configuration as YAML (stable order: exporting twice gives the same bytes)",
  options: { as: AS },
  async run(ctx) {
    const schemaUrl = ctx.config.GATEHOUSE_URL ? `${ctx.config.GATEHOUSE_URL.replace(/\/+$/, '')}/api/v1/config.schema.json` : undefined;
    return runConfig('export', undefined, { prune: false, target: await target(ctx, ctx.values.as), ...(schemaUrl ? { schemaUrl } : {}) }, io(ctx));
  },
});

export const configPlanCommand = defineCommand({
  name: 'config plan',
  summary: 'show what applying the file would change and every governance rule it would break; changes nothing (exit 0 none, 2 changes, 1 invalid or refused)',
  options: { as: AS, prune: PRUNE },
  args: [{ name: 'file' }],
  async run(ctx) {
    return runConfig('plan', ctx.args[0], { prune: ctx.values.prune, target: await target(ctx, ctx.values.as) }, io(ctx));
  },
});

export const configApplyCommand = defineCommand({
  name: 'config apply',
  summary: 'apply the file as one commit — all of it or none of it — under the governance rules (exit 0 applied, 1 invalid or refused)',
  options: { as: AS, prune: PRUNE },
  args: [{ name: 'file' }],
  async run(ctx) {
    return runConfig('apply', ctx.args[0], { prune: ctx.values.prune, target: await target(ctx, ctx.values.as) }, io(ctx));
  },
});
