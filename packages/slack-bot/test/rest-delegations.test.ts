import assert from 'node:assert/strict';
import { DelegationResponseSchema, MeResponseSchema, PendingApprovalsResponseSchema } from '@gatehouse/core/contract';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup } from './rest-harness.js';

describe('REST: delegations and the follow-up of pending approvals', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('Sec delegates Security to Quinn: Quinn sees the approvals on Sec\'s behalf and gives one; both see the delegation', async () => {
    const until = ctx.clock.now() + 7 * 86_400_000;
    const created = await ctx.call('POST', '/delegations', { key: ctx.key('USEC'), body: { delegateId: 'UQUINN', types: ['security'], until } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { delegation } = DelegationResponseSchema.parse(created.json);
    const pending = PendingApprovalsResponseSchema.parse((await ctx.call('GET', '/approvals/pending', { key: ctx.key('UQUINN') })).json);
    const onBehalf = pending.items.find((p) => p.canGive.includes('security'));
    assert.ok(onBehalf, 'Quinn does not see security approvals through the delegation');
    assert.deepEqual(onBehalf.onBehalfOf, [{ id: 'USEC', name: 'Sec (Security)' }]);
    assert.ok(onBehalf.followUp && typeof onBehalf.followUp.requestedAt === 'number');
    const decided = await ctx.call('POST', `/versions/${onBehalf.version.id}/decisions`, { key: ctx.key('UQUINN'), body: { approvalType: 'security', decision: 'approve' } });
    assert.equal(decided.status, 200, JSON.stringify(decided.json));
    const last = (await ctx.account.auditEvents()).at(-1);
    assert.ok(last?.type === 'version.decided');
    assert.deepEqual([last.data.approverId, last.data.onBehalfOf], ['UQUINN', 'USEC']);
    for (const who of ['USEC', 'UQUINN']) {
      const me = MeResponseSchema.parse((await ctx.call('GET', '/me', { key: ctx.key(who) })).json);
      assert.deepEqual(me.delegations?.map((d) => `${d.delegator.id}→${d.delegate.id}`), ['USEC→UQUINN']);
    }
    assert.equal((await ctx.call('DELETE', `/delegations/${delegation.id}`, { key: ctx.key('UQUINN') })).status, 403);
    assert.equal((await ctx.call('DELETE', `/delegations/${delegation.id}`, { key: ctx.key('USEC') })).status, 204);
    assert.equal((await ctx.call('DELETE', '/delegations/constructor', { key: ctx.key('USEC') })).status, 404);
  });

  it('refuses a delegation of what one does not give, to oneself, or without an end', async () => {
    const until = ctx.clock.now() + 86_400_000;
    const none = await ctx.call('POST', '/delegations', { key: ctx.key('UDEV'), body: { delegateId: 'UQUINN', until } });
    assert.equal(errorCode(none.json), 'escalation');
    assert.equal(errorCode((await ctx.call('POST', '/delegations', { key: ctx.key('USEC'), body: { delegateId: 'USEC', until } })).json), 'self_change');
    assert.equal((await ctx.call('POST', '/delegations', { key: ctx.key('USEC'), body: { delegateId: 'UQUINN' } })).status, 400);
  });
});
