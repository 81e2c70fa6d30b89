import * as c from '@gatehouse/core/contract';
import type { Operation } from './operation.js';
import { operation } from './operation.js';

/**
 * Configuration as code over REST — how a GitOps pipeline applies the file: the key's owner acts,
 * under the same governance as every other change. `GET /config` answers YAML when asked for it
 * (see api.ts); the JSON Schema of the document is public at /api/v1/config.schema.json.
 */
export const CONFIG_OPERATIONS: readonly Operation[] = [
  operation({
    method: 'get',
    path: '/config',
    summary: "The account's configuration (JSON; YAML with Accept: application/yaml). Needs audit:view or user_role:manage",
    handle: ({ account, actor }) => account.exportConfig(actor),
  }),
  operation({
    method: 'post',
    path: '/config/plan',
    summary: 'What applying a configuration would change and which governance rules it would break; changes nothing',
    body: c.ConfigRequestSchema,
    response: c.ConfigPlanSchema,
    handle: ({ account, actor, body }) => account.planConfig(actor, body.config, body.prune),
  }),
  operation({
    method: 'post',
    path: '/config/apply',
    summary: 'Apply a configuration as one commit: all of it or, when any change is refused, none of it (the refusals in error.details.plan)',
    body: c.ConfigRequestSchema,
    response: c.ConfigApplyResponseSchema,
    handle: async ({ account, actor, body }) => ({ applied: true, plan: await account.applyConfig(actor, body.config, body.prune) }),
  }),
];
