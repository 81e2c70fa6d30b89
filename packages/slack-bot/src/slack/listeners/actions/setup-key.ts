import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { GatehouseError } from '@gatehouse/core';
import { z } from 'zod';
import { createdKeyMessage } from '../../blocks/replies.js';
import type { CreatedCiKey } from '../../blocks/setup.js';
import { KEY_OWNER, SetupMeta, setupDoneWithKeyView } from '../../blocks/setup.js';
import type { ListenerDeps } from '../../context.js';
import { ackThen, answerEphemeral, asUser } from '../../context.js';
import { readPayload } from '../../payload.js';
import { clip, userName } from '../../format.js';
import { own } from '../../../rest/lookup.js';

/** A click on a button inside a modal: who, in which workspace, on which view. */
const ViewClick = z.object({
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  view: z.object({ id: z.string(), private_metadata: z.string() }),
  actions: z.array(z.object({ value: z.string().optional() })).min(1),
});

/**
 * The last view of `/gatehouse setup`: "Create a key for CI", owned by the admin or by a service
 * account made for the product (Developer in its team). The secret goes to the admin only, as an
 * ephemeral message where they ran the command — in the view itself when it can go nowhere else.
 */
export function setupKeyClicked(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ackThen(ack, async () => {
      const parsed = readPayload(deps.logger, 'setup key button', () => {
        const b = ViewClick.parse(body);
        return { b, meta: SetupMeta.parse(JSON.parse(b.view.private_metadata)) };
      });
      if (!parsed) return;
      const { b, meta } = parsed.value;
      const from = { teamId: b.team?.id ?? b.user.team_id ?? null, user: { id: b.user.id, name: b.user.name ?? b.user.username ?? null } };
      await asUser(deps, client, from, meta, async (session) => {
        const { account, actor, names } = session;
        const product = meta.productId ? own(account.view.products, meta.productId) : undefined;
        if (!product) throw new GatehouseError('not_found', 'the product of this setup is gone', { entity: 'product', id: meta.productId ?? '?' });
        let ownerId = actor.userId;
        if (b.actions[0]?.value === KEY_OWNER.serviceAccount) {
          ownerId = `ci-${product.id}`.slice(0, 64);
          if (!Object.hasOwn(account.view.users, ownerId)) await account.addUser(actor, { userId: ownerId, name: clip(`CI for ${product.name}`, 80), serviceAccount: true });
          await account.assignRole(actor, { subject: { type: 'user', id: ownerId }, roleId: 'developer', teamId: product.teamId });
        }
        const created = await deps.gatehouse.createKey(account, actor, { name: clip(`CI for ${product.name}`, 80), kind: 'api_key', ownerId });
        const owner = ownerId === actor.userId ? 'you' : userName(names, ownerId);
        const secretMessage = createdKeyMessage(created, ownerId === actor.userId ? null : owner, 'In CI, keep it as the secret `GATEHOUSE_KEY`: the lines in the setup window use it.');
        const sent = await answerEphemeral(client, meta, actor.userId, secretMessage);
        const key: CreatedCiKey = {
          name: created.key.name,
          owner,
          secretWhere: sent ? 'Its secret is in a message only you can see, where you ran the command: copy it now, it is not shown again.' : 'Copy its secret now, it is not shown again:',
          secret: sent ? null : created.secret,
        };
        await client.views.update({ view_id: b.view.id, view: setupDoneWithKeyView(names, { ...meta, keyId: created.key.id }, key) });
      });
    });
  };
}
