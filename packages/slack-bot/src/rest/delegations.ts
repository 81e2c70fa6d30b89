import * as c from '@gatehouse/core/contract';
import type { Operation } from './operation.js';
import { operation } from './operation.js';

/** Delegations: an approver's stand-in while they are away (the core checks every decision made through one). */
export const DELEGATION_OPERATIONS: readonly Operation[] = [
  operation({
    method: 'get',
    path: '/delegations',
    summary: 'Delegations in force that I gave or received',
    response: c.DelegationListResponseSchema,
    handle: ({ account, actor }) => ({ items: account.delegationsOf(actor.userId) }),
  }),
  operation({
    method: 'post',
    path: '/delegations',
    summary: 'Name a stand-in who may give my approval types until a time (at most 90 days)',
    body: c.CreateDelegationRequestSchema,
    response: c.DelegationResponseSchema,
    status: 201,
    handle: async ({ account, actor, body }) => ({ delegation: await account.delegate(actor, body) }),
  }),
  operation({
    method: 'delete',
    path: '/delegations/{id}',
    summary: 'End a delegation (mine, or any with user_role:manage)',
    status: 204,
    handle: async ({ account, actor, params }) => {
      await account.undelegate(actor, { delegationId: params.id });
    },
  }),
];
