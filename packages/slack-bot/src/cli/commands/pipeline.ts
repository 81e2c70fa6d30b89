import { CreateDeploymentResponseSchema, CreateVersionResponseSchema, EvaluationSchema } from '@gatehouse/core/contract';
import { RemoteError, RestClient } from '../../client/rest-client.js';
import { GATE_EXIT, findVersion, runGate } from '../../pipeline/gate.js';
import { parseDuration } from '../../slack/parse.js';
import type { CliContext, OptionSpecs } from '../registry.js';
import { defineCommand } from '../registry.js';

/**
 * The commands a pipeline runs against a server (GATEHOUSE_URL + GATEHOUSE_TOKEN, a CI key):
 * register a version, ask for approval, wait on the gate, record the deployment. Exit codes:
 * 0 done / ready, 1 refused / rejected / blocked, 2 timed out (gate), 3 error (unreachable
 * server, bad key, unknown product or version).
 */

function client(ctx: CliContext<OptionSpecs>): RestClient {
  const { GATEHOUSE_URL: url, GATEHOUSE_TOKEN: token } = ctx.config;
  if (!url || !token) throw new RemoteError('set GATEHOUSE_URL (the server) and GATEHOUSE_TOKEN (a key, e.g. from "gatehouse key --user <service account> --name ci --kind api_key")', 'config');
  return new RestClient(url, token);
}

/** Runs a pipeline step; a RemoteError is exit 3 unless it is a refusal (exit 1). */
async function step(ctx: CliContext<OptionSpecs>, body: (c: RestClient) => Promise<number>): Promise<number> {
  try {
    return await body(client(ctx));
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    ctx.note(err.message);
    const refused = err.status === 403 || err.status === 409 || err.status === 400;
    return refused && err.code !== 'invalid_key' ? 1 : GATE_EXIT.error;
  }
}

const PRODUCT = { type: 'string', value: 'product id', required: true, help: 'the product, as configured (e.g. checkout)' } as const;
const VERSION = { type: 'string', value: 'version', required: true, help: 'the version string, e.g. 1.4.2 or a build number' } as const;
const ENV = { type: 'string', value: 'environment id', required: true, help: 'the environment, e.g. production' } as const;

export const versionCreateCommand = defineCommand({
  name: 'version create',
  usageExitCode: GATE_EXIT.error,
  summary: 'register a version of a product (idempotent: a retry returns the same version); prints its id',
  options: { product: PRODUCT, version: VERSION, commit: { type: 'string', value: 'sha', help: 'the commit it was built from' } },
  run: (ctx) =>
    step(ctx, async (c) => {
      const body = { productId: ctx.values.product, version: ctx.values.version, ...(ctx.values.commit ? { commit: ctx.values.commit } : {}) };
      const { version, created } = await c.call('/versions', CreateVersionResponseSchema, { method: 'POST', body });
      ctx.note(created ? `registered ${ctx.values.product} ${version.version}` : `${ctx.values.product} ${version.version} was registered already`);
      ctx.out(version.id);
      return 0;
    }),
});

export const approvalRequestCommand = defineCommand({
  name: 'approval request',
  usageExitCode: GATE_EXIT.error,
  summary: "ask the approvers for a version's approval for an environment (posts the approval message)",
  options: { product: PRODUCT, version: VERSION, env: ENV },
  run: (ctx) =>
    step(ctx, async (c) => {
      const v = await findVersion(c, ctx.values.product, ctx.values.version);
      const e = await c.call(`/versions/${encodeURIComponent(v.id)}/approval-requests`, EvaluationSchema, { method: 'POST', body: { environmentId: ctx.values.env } });
      ctx.out(e.ready ? `${ctx.values.product} ${v.version} → ${ctx.values.env}: ready` : `${ctx.values.product} ${v.version} → ${ctx.values.env}: approval requested; missing: ${e.missing.join('; ')}`);
      return 0;
    }),
});

export const gateCommand = defineCommand({
  name: 'gate',
  usageExitCode: GATE_EXIT.error,
  summary: 'may this version go to the environment? Exit 0 ready, 1 rejected (or blocked without --wait), 2 timed out, 3 error',
  options: {
    product: PRODUCT,
    version: VERSION,
    env: ENV,
    wait: { type: 'boolean', help: 'wait until the approvals are given or refused (one idle connection, no polling)' },
    timeout: { type: 'string', value: 'duration', default: '6h', help: 'how long --wait waits, e.g. 30m, 6h, 2d' },
    'on-timeout': { type: 'string', choices: ['fail', 'pass'], default: 'fail', help: 'what a timeout means: fail (exit 2) or pass (exit 0, loudly)' },
  },
  run: (ctx) =>
    step(ctx, async (c) => {
      const timeoutMs = parseDuration(ctx.values.timeout);
      if (timeoutMs === null || timeoutMs <= 0) {
        ctx.note(`--timeout "${ctx.values.timeout}" is not a duration: write it like 90s, 30m, 6h or 2d`);
        return GATE_EXIT.error;
      }
      const r = await runGate(c, { product: ctx.values.product, version: ctx.values.version, env: ctx.values.env, wait: ctx.values.wait, timeoutMs, onTimeout: ctx.values['on-timeout'] }, { out: ctx.out, note: ctx.note });
      return r.exitCode;
    }),
});

export const deployCommand = defineCommand({
  name: 'deploy',
  usageExitCode: GATE_EXIT.error,
  summary: 'record the deployment of a version to an environment (refused while the gate is blocked, unless overriding with gate:override)',
  options: { product: PRODUCT, version: VERSION, env: ENV, 'override-reason': { type: 'string', value: 'text', help: 'break-glass: deploy through a blocked gate, with the reason (needs gate:override; loud in Slack and the audit trail)' } },
  run: (ctx) =>
    step(ctx, async (c) => {
      const v = await findVersion(c, ctx.values.product, ctx.values.version);
      const reason = ctx.values['override-reason'];
      const body = { versionId: v.id, environmentId: ctx.values.env, override: reason ? { reason } : null };
      const { deployment } = await c.call('/deployments', CreateDeploymentResponseSchema, { method: 'POST', body });
      ctx.out(`${ctx.values.product} ${v.version} deployed to ${ctx.values.env} (${deployment.id})${deployment.override ? ' through a blocked gate: overridden' : ''}`);
      return 0;
    }),
});
