import type { Account, Actor, ConfigDocInput, ConfigPlan } from '@gatehouse/core';
import { ConfigRefusedError } from '@gatehouse/core';
import { z } from 'zod';
import { RemoteError, RestClient } from '../client/rest-client.js';

/** Where `config export|plan|apply` acts: the store directly (as a named Admin) or a running server (as a key's owner). */
export interface ConfigTarget {
  readonly describe: string;
  exportYaml(): Promise<ConfigDocInput>;
  plan(doc: ConfigDocInput, prune: boolean): Promise<ConfigPlan>;
  /** Resolves with the applied plan; a refused apply resolves with the refusals and `applied: false`. */
  apply(doc: ConfigDocInput, prune: boolean): Promise<{ applied: boolean; plan: ConfigPlan }>;
}

export function localTarget(account: Account, actor: Actor, store: string): ConfigTarget {
  return {
    describe: `account ${account.id} in ${store}, acting as ${actor.userId}`,
    exportYaml: () => Promise.resolve(account.exportConfig(actor)),
    plan: (doc, prune) => Promise.resolve(account.planConfig(actor, doc, prune)),
    apply: async (doc, prune) => {
      try {
        return { applied: true, plan: await account.applyConfig(actor, doc, prune) };
      } catch (err) {
        if (err instanceof ConfigRefusedError) return { applied: false, plan: err.plan };
        throw err;
      }
    },
  };
}

/** The plan as the server sent it (its shape is the core's ConfigPlan; checked loosely here). */
const PlanBody = z.object({ changes: z.array(z.unknown()), refusals: z.array(z.unknown()), kept: z.array(z.unknown()) }).loose() as unknown as z.ZodType<ConfigPlan>;
const ApplyBody: z.ZodType<{ applied: boolean; plan: ConfigPlan }> = z.object({ applied: z.boolean(), plan: PlanBody });

/** The REST API of a running server, authenticated with GATEHOUSE_TOKEN (an Admin's key for a GitOps pipeline). */
export function remoteTarget(baseUrl: string, token: string): ConfigTarget {
  const client = new RestClient(baseUrl, token);
  const call = client.call.bind(client);
  const api = client.api;
  return {
    describe: `${api} (the key's owner acts)`,
    exportYaml: () => call('/config', z.record(z.string(), z.unknown())),
    plan: (doc, prune) => call('/config/plan', PlanBody, { method: 'POST', body: { config: doc, prune } }),
    apply: async (doc, prune) => {
      try {
        return await call('/config/apply', ApplyBody, { method: 'POST', body: { config: doc, prune } });
      } catch (err) {
        // Refused: the server sends the plan with its refusals; nothing was applied.
        const refused = err instanceof RemoteError ? PlanBody.safeParse(err.details['plan']) : null;
        if (refused?.success) return { applied: false, plan: refused.data };
        throw err;
      }
    },
  };
}
