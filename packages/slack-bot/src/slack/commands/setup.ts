import type { Permission } from '@gatehouse/core';
import { setupView } from '../blocks/setup.js';
import type { Subcommand } from './types.js';

/** What the walk does, in its order: an Admin holds all of it. */
const NEEDED: readonly Permission[] = ['user_role:manage', 'team:manage', 'product:create', 'environment:create', 'deployment_rule:manage'];

/**
 * `setup`: the first-run walk in a modal (see blocks/setup.ts). Refused up front, with the
 * permission that is missing, for someone who could not finish it.
 */
export const setup: Subcommand = async (ctx) => {
  const { account, actor, names } = ctx.session;
  for (const p of NEEDED) account.assertCan(actor, p, null);
  await ctx.openModal(setupView(names, { ...ctx.replyTo, step: 'channel', teamId: null, productId: null, environmentId: null, keyId: null }));
  return null;
};
