import { NotFoundError } from '@gatehouse/core';
import * as c from '@gatehouse/core/contract';
import { found, own } from './lookup.js';
import type { Operation } from './operation.js';
import { operation } from './operation.js';

/**
 * What a pipeline asks besides creating versions and deployments: the version a product has under
 * a version string (so `gate` needs no id), and who could give what is still missing.
 */
export const PIPELINE_OPERATIONS: readonly Operation[] = [
  operation({
    method: 'get',
    path: '/versions',
    summary: 'The version of a product with this version string (an empty list when it was never registered)',
    query: c.FindVersionQuerySchema,
    response: c.VersionListResponseSchema,
    handle: ({ account, actor, query }) => {
      account.assertCan(actor, 'version:view', { productId: found(account.view.products, 'product', query.productId).id });
      const v = account.findVersion(query.productId, query.version);
      return { items: v ? [v] : [] };
    },
  }),
  operation({
    method: 'get',
    path: '/versions/{id}/approvers',
    summary: 'Who could give each approval still missing for the version in an environment',
    query: c.EvaluateQuerySchema.pick({ environmentId: true }),
    response: c.ApproversResponseSchema,
    handle: ({ account, actor, params, query }) => {
      account.assertCan(actor, 'version:view', { versionId: params.id });
      if (!Object.hasOwn(account.view.environments, query.environmentId)) throw new NotFoundError('environment', query.environmentId);
      const name = (id: string) => own(account.view.users, id)?.name || id;
      return { items: account.approvers(params.id, query.environmentId).map((a) => ({ type: a.type, missing: a.missing, users: a.userIds.map((id) => ({ id, name: name(id) })) })) };
    },
  }),
];
