import assert from 'node:assert/strict';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, GENERAL, actionIds, setupSlack, state, textOf } from './support/slack-harness.js';

const HOUR = 3_600_000;

describe('Slack: access requests', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  async function requestMessage(): Promise<PostedMessage> {
    return ctx.fake.waitFor(() => ctx.fake.channelMessages(APPROVALS).find((m) => textOf(m).includes('Access request')), 'the access-request message');
  }

  it('request → Approve → DM with the new roles → expiry DM; the grant works and then stops', async () => {
    const answer = await ctx.answer('UDIEGO', 'request sre payments for 8h because incident 4711, need to roll back');
    assert.match(answer, /Requested \*SRE\* in \*Payments\* for \*8h\*/);
    const msg = await requestMessage();
    await ctx.settle();
    assert.match(textOf(msg), /<@UDIEGO> asks for \*SRE\* in team \*Payments\* for \*8h\*/);
    assert.match(textOf(msg), /incident 4711/);
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('pending request');
    assert.deepEqual(actionIds(msg), [`access_approve:${request.id}`, `access_deny:${request.id}`]);

    // Someone without user_role:manage cannot approve (the requester neither).
    const self = await ctx.click('UDIEGO', msg, `access_approve:${request.id}`);
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(self.responseUrl)[0], 'answer')), /You need `user_role:manage` in team Payments.*Roles that grant it: Admin\. Ask an administrator\./);
    const dev = await ctx.click('UDEV', msg, `access_approve:${request.id}`);
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(dev.responseUrl)[0], 'answer')), /You need `user_role:manage` in team Payments/);
    assert.equal(ctx.account.view.requests[request.id]?.status, 'pending');
    assert.equal(ctx.account.can('UDIEGO', 'deployment_rule:manage', 'payments'), false);

    await ctx.click('UADA', msg, `access_approve:${request.id}`);
    await ctx.settle();
    assert.equal(ctx.account.view.requests[request.id]?.status, 'approved');
    assert.equal(ctx.account.can('UDIEGO', 'deployment_rule:manage', 'payments'), true, 'the grant is in force');
    assert.match(textOf(msg), /Approved by <@UADA> — access until/);
    assert.deepEqual(actionIds(msg), [], 'no buttons once decided');
    // A second approver whose Slack still showed the buttons is told who decided.
    const stale = { ...msg, blocks: msg.history[0]?.blocks ?? [] };
    const late = await ctx.click('UGRACE', stale, `access_approve:${request.id}`);
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(late.responseUrl)[0], 'answer')), /already approved by <@UADA>/);

    const dms = ctx.fake.dmsTo('UDIEGO');
    assert.equal(dms.length, 1, 'one DM for the outcome (it lists the new roles)');
    assert.match(textOf(dms[0] ?? { blocks: [] }), /Your request for \*SRE\* in Payments for 8h was approved by <@UADA>/);
    assert.match(textOf(dms[0] ?? { blocks: [] }), /Your roles now:\* .*SRE \(Payments, until/);

    ctx.clock.advance(8 * HOUR + 60_000);
    assert.equal(ctx.account.can('UDIEGO', 'deployment_rule:manage', 'payments'), false, 'expired grants stop counting at once');
    assert.equal(await ctx.gatehouse.sweepExpired(), 1);
    await ctx.settle();
    const expiry = ctx.fake.dmsTo('UDIEGO')[1];
    assert.ok(expiry, 'a DM on expiry');
    assert.match(textOf(expiry), /Your temporary access to \*SRE\* in Payments has expired/);
    assert.match(textOf(expiry), /\*Before:\* .*SRE \(Payments/);
    ctx.assertClean();
  });

  it('nobody decides their own request, not even an Admin', async () => {
    await ctx.answer('UGRACE', 'request security for 1h because audit season');
    const msg = await requestMessage();
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('pending request');
    const self = await ctx.click('UGRACE', msg, `access_approve:${request.id}`);
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(self.responseUrl)[0], 'answer')), /cannot decide your own access request: another administrator must/);
    assert.equal(ctx.account.view.requests[request.id]?.status, 'pending');
    ctx.assertClean();
  });

  it('Deny opens a modal for the reason; the requester is told why', async () => {
    await ctx.answer('UVERA', 'request qa for 2d because covering for Quinn');
    const msg = await requestMessage();
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('pending request');
    await ctx.click('UGRACE', msg, `access_deny:${request.id}`);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the deny modal');
    assert.equal(view.view['callback_id'], 'deny_access');
    const r = await ctx.submit('UGRACE', view.id, { reason: state.text('Quinn is back tomorrow') });
    assert.equal(r.status, 200);
    await ctx.settle();
    assert.equal(ctx.account.view.requests[request.id]?.status, 'denied');
    assert.match(textOf(msg), /Denied by <@UGRACE>: _Quinn is back tomorrow_/);
    assert.match(textOf(ctx.fake.dmsTo('UVERA')[0] ?? { blocks: [] }), /was denied by <@UGRACE>: _Quinn is back tomorrow_/);
    ctx.assertClean();
  });

  it('the request modal: pickers for role, team, duration and a required reason', async () => {
    const r = await ctx.command('UVIC', 'request');
    assert.equal(r.status, 200);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the request modal');
    assert.equal(view.view['callback_id'], 'request_access');
    const bad = await ctx.submit('UVIC', view.id, { role: state.select('qa'), team: state.select('*'), duration: state.select(String(8 * HOUR)), reason: state.text('x') });
    assert.deepEqual(JSON.parse(bad.text), { response_action: 'errors', errors: { reason: 'Give a reason of at least 3 characters' } });
    const ok = await ctx.submit('UVIC', view.id, { role: state.select('qa'), team: state.select('payments'), duration: state.select(String(4 * HOUR)), reason: state.text('release week') });
    assert.equal(ok.status, 200);
    const reply = await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the answer through the command response_url');
    assert.match(textOf(reply), /Requested \*QA\* in \*Payments\* for \*4h\*/);
    await requestMessage();
    ctx.assertClean();
  });

  it('`requests` lists what an approver may decide, with working buttons', async () => {
    await ctx.answer('UVERA', 'request qa payments for 1d because regression testing');
    const channelMsg = await requestMessage();
    assert.match(await ctx.answer('UVIC', 'requests'), /No access request is waiting/, 'others do not see it');
    assert.match(await ctx.answer('UVERA', 'requests'), /Pending access requests \(1\)/, 'the requester sees their own');
    const list = await ctx.reply('UADA', 'requests');
    assert.match(list.text, /Pending access requests \(1\)/);
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('pending request');
    await ctx.click('UADA', { channel: GENERAL, ts: '1.000001', blocks: list.blocks }, `access_approve:${request.id}`, {}, { ephemeral: true });
    await ctx.settle();
    assert.equal(ctx.account.view.requests[request.id]?.status, 'approved');
    assert.match(textOf(channelMsg), /Approved by <@UADA>/, 'the approvers\' message is updated too');
    ctx.assertClean();
  });

  it('deciding from the `requests` list updates the list in place: the request says approved or denied by whom, without buttons; the others keep theirs', async () => {
    await ctx.answer('UVERA', 'request qa payments for 1d because regression testing');
    await ctx.answer('UDIEGO', 'request sre payments for 8h because incident 4711');
    await ctx.settle();
    const [vera, diego] = ctx.account.pendingAccessRequests();
    assert.ok(vera && diego, 'two pending requests');
    const cmd = await ctx.command('UADA', 'requests');
    const list = await ctx.fake.waitFor(() => ctx.fake.responseMessageOf(cmd.responseUrl), 'the list');
    assert.match(textOf(list), /Pending access requests \(2\)/);

    await ctx.clickEphemeral('UADA', list, `access_approve:${vera.id}`);
    await ctx.fake.waitFor(() => list.history.length === 1, 'the list to be replaced');
    await ctx.settle();
    assert.equal(ctx.account.view.requests[vera.id]?.status, 'approved');
    const approved = textOf(list);
    assert.match(approved, /Pending access requests \(1\)/);
    assert.match(approved, /<@UVERA> asks for \*QA\* in team \*Payments\* for \*1d\*\.\n>regression testing\n:white_check_mark: Approved by <@UADA> — access until /);
    assert.deepEqual(actionIds(list), [`access_approve:${diego.id}`, `access_deny:${diego.id}`], 'buttons only on what is still pending');
    assert.ok(approved.indexOf('UVERA') < approved.indexOf('UDIEGO'), 'the decided request keeps its place');

    await ctx.clickEphemeral('UADA', list, `access_deny:${diego.id}`);
    const modal = await ctx.fake.waitFor(() => ctx.lastView()?.view['callback_id'] === 'deny_access' && ctx.lastView(), 'the deny modal');
    assert.equal((await ctx.submit('UADA', modal.id, { reason: state.text('the incident is closed') })).text, '');
    await ctx.fake.waitFor(() => list.history.length === 2, 'the list to be replaced again');
    await ctx.settle();
    assert.match(textOf(list), /Pending access requests \(0\)/);
    assert.match(textOf(list), /<@UDIEGO> asks for \*SRE\*[^]*:x: Denied by <@UADA>: _the incident is closed_/);
    assert.deepEqual(actionIds(list), []);
    assert.deepEqual(ctx.fake.responseMessages.filter((m) => m.user === 'UADA').length, 1, 'one list, replaced in place: no second message');
    ctx.assertClean();
  });

  it('a list someone else has decided from meanwhile: a click says who decided, and redraws the list', async () => {
    await ctx.answer('UVERA', 'request qa payments for 1d because regression testing');
    await ctx.settle();
    const request = ctx.account.pendingAccessRequests()[0] ?? assert.fail('pending request');
    const cmd = await ctx.command('UGRACE', 'requests');
    const list = await ctx.fake.waitFor(() => ctx.fake.responseMessageOf(cmd.responseUrl), 'Grace\'s list');
    const channelMsg = await requestMessage();
    await ctx.click('UADA', channelMsg, `access_approve:${request.id}`);
    await ctx.settle();

    const late = await ctx.clickEphemeral('UGRACE', list, `access_approve:${request.id}`);
    await ctx.fake.waitFor(() => list.history.length === 1, 'the list to be redrawn');
    assert.match(textOf(list), /Approved by <@UADA>/);
    assert.deepEqual(actionIds(list), []);
    const told = await ctx.fake.waitFor(() => ctx.fake.responseMessageOf(late.responseUrl), 'the answer to the click');
    assert.match(textOf(told), /already approved by <@UADA>: nothing changed/);
    ctx.assertClean();
  });
});
