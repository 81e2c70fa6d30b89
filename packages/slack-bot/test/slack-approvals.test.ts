import assert from 'node:assert/strict';
import type { Account } from '@gatehouse/core';
import type { PostedMessage } from './support/fake-slack.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, actionIds, setupSlack, state, textOf } from './support/slack-harness.js';

/** Creates a version over REST as `userId` and requests approval for an environment (the CI path). */
async function restRequest(ctx: SlackCtx, userId: string, productId: string, version: string, environmentId: string): Promise<string> {
  const key = ctx.demo?.keys.find((k) => k.userId === userId)?.secret ?? assert.fail(`no demo key for ${userId}`);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${ctx.server.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as { version?: { id: string } };
  };
  const created = await call('/versions', { productId, version });
  const versionId = created.version?.id ?? assert.fail('no version id');
  await call(`/versions/${versionId}/approval-requests`, { environmentId });
  return versionId;
}

function decisions(account: Account, versionId: string): number {
  return account.view.versions[versionId]?.decisions.length ?? -1;
}

async function approvalMessage(ctx: SlackCtx, versionId: string): Promise<PostedMessage> {
  const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[versionId]?.message, 'the approval message to be linked');
  const msg = ctx.fake.messages.get(`${ref.channel}/${ref.ts}`);
  assert.ok(msg, 'the linked message is one the bot posted');
  return msg;
}

describe('Slack: approval messages', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('an approval round from request to ready: message posted, updated in place, thread replies, DM to the creator', async () => {
    const quinnsName = ctx.account.view.users.UQUINN?.name;
    const versionId = await restRequest(ctx, 'UDEV', 'checkout', '2.0.0', 'production');
    const msg = await approvalMessage(ctx, versionId);
    await ctx.settle();
    assert.equal(msg.channel, APPROVALS, 'posted to the default channel (the product has none)');
    const first = textOf(msg);
    for (const want of ['Approval needed: Checkout 2.0.0', 'Checkout', '2.0.0', '<@UDEV>', 'production', 'QA', 'Security', 'Operational', '0 of 1']) assert.ok(first.includes(want), `the message shows ${want}`);
    assert.deepEqual(actionIds(msg).sort(), ['version_approve:operational', 'version_approve:qa', 'version_approve:security', 'version_reject:operational', 'version_reject:qa', 'version_reject:security']);
    assert.match(ctx.account.view.versions[versionId]?.message?.permalink ?? '', /^https:\/\/fake\.slack\.test\/archives\//, 'the permalink is recorded');

    for (const [user, type] of [
      ['UQUINN', 'qa'],
      ['USEC', 'security'],
    ] as const) {
      const r = await ctx.click(user, msg, `version_approve:${type}`);
      assert.equal(r.status, 200);
      await ctx.settle();
    }
    assert.match(textOf(msg), /QA\* · 1 of 1 — approved by <@UQUINN>/);
    assert.equal(ctx.account.view.users.UQUINN?.name, quinnsName, 'a click does not rename a known user to their handle');
    assert.match(textOf(msg), /Operational\* · 0 of 1 — 1 more needed/, 'what is still missing');
    assert.equal(ctx.fake.dmsTo('UDEV').length, 0, 'no DM before it is ready');

    await ctx.click('USAM', msg, 'version_approve:operational');
    await ctx.settle();
    assert.match(textOf(msg), /Approved: Checkout 2\.0\.0/);
    assert.deepEqual(actionIds(msg), [], 'the buttons are gone once ready');
    assert.ok(msg.history.length >= 3, 'updated in place (chat.update), not reposted');
    assert.equal(ctx.fake.channelMessages(APPROVALS).length, 1, 'one message for the version');
    const thread = ctx.fake.threadReplies(msg.channel, msg.ts).map((m) => m.text);
    assert.deepEqual(thread, [':white_check_mark: <@UQUINN> approved *QA*', ':white_check_mark: <@USEC> approved *Security*', ':white_check_mark: <@USAM> approved *Operational*']);
    const dm = ctx.fake.dmsTo('UDEV');
    assert.equal(dm.length, 1, 'the creator is told once');
    assert.match(textOf(dm[0] ?? { blocks: [] }), /Checkout 2\.0\.0\* has every approval it needs for production: ready to deploy/);
    assert.equal(ctx.account.evaluate({ versionId, environmentId: 'production' }).ready, true);
    ctx.assertClean();
  });

  it('Reject opens a modal that requires a reason; the rejection updates the message, the thread and DMs the creator', async () => {
    const versionId = await restRequest(ctx, 'UDEV', 'checkout', '2.0.1', 'production');
    const msg = await approvalMessage(ctx, versionId);
    const click = await ctx.click('USEC', msg, 'version_reject:security');
    assert.equal(click.status, 200);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    assert.equal(view.view['callback_id'], 'reject_version');
    assert.equal(decisions(ctx.account, versionId), 0, 'opening the modal records nothing');

    const empty = await ctx.submit('USEC', view.id, { reason: state.text(' ') });
    assert.equal(empty.status, 200);
    assert.deepEqual(JSON.parse(empty.text), { response_action: 'errors', errors: { reason: 'Give a reason of at least 3 characters' } }, 'the form says what is missing');
    assert.equal(decisions(ctx.account, versionId), 0);

    const ok = await ctx.submit('USEC', view.id, { reason: state.text('CVE-2026-1234 in the payment SDK') });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, '', 'the modal closes');
    await ctx.settle();
    const d = ctx.account.view.versions[versionId]?.decisions;
    assert.deepEqual(d?.map((x) => [x.approverId, x.type, x.decision, x.reason]), [['USEC', 'security', 'reject', 'CVE-2026-1234 in the payment SDK']]);
    assert.match(textOf(msg), /Rejected: Checkout 2\.0\.1/);
    assert.match(textOf(msg), /rejected by <@USEC>: _CVE-2026-1234 in the payment SDK_/);
    assert.deepEqual(actionIds(msg), ['version_approve:security'], 'once rejected, only Approve Security instead, on the rejected requirement');
    assert.deepEqual(
      ctx.fake.threadReplies(msg.channel, msg.ts).map((m) => m.text),
      [':x: <@USEC> rejected *Security*: _CVE-2026-1234 in the payment SDK_'],
    );
    assert.match(textOf(ctx.fake.dmsTo('UDEV')[0] ?? { blocks: [] }), /was rejected by <@USEC> \(Security\): _CVE-2026-1234/);
    ctx.assertClean();
  });

  it('a click by someone who lacks the approval type gets an ephemeral explanation and records nothing', async () => {
    const versionId = await restRequest(ctx, 'UDEV', 'checkout', '2.0.2', 'production');
    const msg = await approvalMessage(ctx, versionId);
    await ctx.settle();
    const before = msg.history.length;

    const viewer = await ctx.click('UVERA', msg, 'version_approve:qa');
    assert.equal(viewer.status, 200);
    const answer = await ctx.fake.waitFor(() => ctx.fake.responsesTo(viewer.responseUrl)[0], 'the ephemeral answer');
    assert.equal(answer['response_type'], 'ephemeral');
    assert.equal(answer['replace_original'], false, 'the approval message stays');
    assert.match(textOf(answer), /You need `version:approve:qa` in team Payments, which none of your roles grants\. Roles that grant it: Admin, QA\./);

    const creator = await ctx.click('UDEV', msg, 'version_approve:qa');
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(creator.responseUrl)[0], 'answer')), /You need `version:approve:qa`.*request qa payments for 8h/);

    const reject = await ctx.click('UVERA', msg, 'version_reject:security');
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(reject.responseUrl)[0], 'answer')), /version:approve:security/);
    await ctx.settle();
    assert.equal(ctx.fake.views.size, 0, 'no reject modal for someone who cannot reject');
    assert.equal(decisions(ctx.account, versionId), 0, 'nothing recorded');
    assert.equal(msg.history.length, before, 'the message did not change');
    assert.equal(ctx.fake.threadReplies(msg.channel, msg.ts).length, 0);

    // Separation of duties: an Admin holds every approval type, but not for their own version.
    const { version } = await ctx.account.createVersion({ userId: 'UADA' }, { productId: 'checkout', version: '2.0.2-ada' });
    await ctx.account.requestApproval({ userId: 'UADA' }, { versionId: version.id, environmentId: 'production' });
    const own = await approvalMessage(ctx, version.id);
    const sod = await ctx.click('UADA', own, 'version_approve:qa');
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(sod.responseUrl)[0], 'answer')), /You created this version, so your approval cannot count \(separation of duties\)/);
    assert.equal(decisions(ctx.account, version.id), 0);
    ctx.assertClean();
  });

  it('a double click, a retried request and two approvers at once record exactly one decision each', async () => {
    const versionId = await restRequest(ctx, 'UDEV', 'checkout', '2.0.3', 'production');
    const msg = await approvalMessage(ctx, versionId);
    await ctx.settle();

    // Double click: two distinct clicks (two trigger_ids), in flight together.
    const [a, b] = await Promise.all([ctx.click('UQUINN', msg, 'version_approve:qa'), ctx.click('UQUINN', msg, 'version_approve:qa')]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    await ctx.settle();
    assert.equal(decisions(ctx.account, versionId), 1, 'one decision for a double click');
    const told = [...ctx.fake.responsesTo(a.responseUrl), ...ctx.fake.responsesTo(b.responseUrl)].map(textOf);
    assert.deepEqual(told, ['You had already approved *QA* for `2.0.3`: nothing changed.'], 'the second click is told it changed nothing');

    // Slack redelivers the very same request (x-slack-retry-num): acknowledged, not handled twice.
    const sec = await ctx.click('USEC', msg, 'version_approve:security');
    const retry = await ctx.click('USEC', msg, 'version_approve:security', { retryNum: 1 }, { triggerId: sec.triggerId, responseUrl: sec.responseUrl });
    assert.equal(retry.status, 200, 'the retry is acknowledged');
    await ctx.settle();
    assert.equal(decisions(ctx.account, versionId), 2);
    assert.equal(ctx.fake.responsesTo(sec.responseUrl).length, 0, 'no "already approved" for a retry: it was skipped');

    // Two approvers at once: both recorded, and the message ends showing both.
    await Promise.all([ctx.click('USAM', msg, 'version_approve:operational'), ctx.click('USOFIA', msg, 'version_approve:operational')]);
    await ctx.settle();
    const ops = ctx.account.view.versions[versionId]?.decisions.filter((d) => d.type === 'operational').map((d) => d.approverId).sort();
    assert.deepEqual(ops, ['USAM', 'USOFIA']);
    assert.match(textOf(msg), /Operational\* · 2 of 1 — approved by <@(USAM|USOFIA)>, <@(USAM|USOFIA)>/, 'the final update shows the latest state');
    const replies = ctx.fake.threadReplies(msg.channel, msg.ts).map((m) => m.text);
    assert.equal(replies.length, 4, 'one thread reply per recorded decision');
    assert.equal(ctx.fake.dmsTo('UDEV').length, 1, 'one ready DM');
    const audit = (await ctx.account.auditEvents()).filter((e) => e.type === 'version.decided' && e.data.versionId === versionId);
    assert.equal(audit.length, 4, 'four decisions in the audit trail');
    ctx.assertClean();
  });

  it('release approvals: the message carries Approve/Reject release, recorded by decideRelease', async () => {
    const rita = { userId: 'URITA' };
    const release = await ctx.account.createRelease(rita, { productId: 'checkout', name: '2026.02' });
    const rule = Object.values(ctx.account.view.rules).find((r) => r.environmentId === 'staging') ?? assert.fail('staging rule');
    await ctx.account.updateRule({ userId: 'UADA' }, { ruleId: rule.id, requireReleaseApproval: true });
    const { version } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '2.1.0', releaseId: release.id });
    const r = await ctx.answer('UDEV', `request-approval ${version.id} staging`);
    assert.match(r, /Approval requested for staging; missing: qa: 1 more approval; release approval/);
    const msg = await approvalMessage(ctx, version.id);
    await ctx.settle();
    assert.ok(actionIds(msg).includes(`release_approve:${release.id}`));
    assert.match(textOf(msg), /Release\* 2026\.02 — waiting for release approval/);

    const dev = await ctx.click('UDEV', msg, `release_approve:${release.id}`);
    assert.match(textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(dev.responseUrl)[0], 'answer')), /release:approve/);
    await ctx.click('UPAM', msg, `release_approve:${release.id}`);
    await ctx.click('UQUINN', msg, 'version_approve:qa');
    await ctx.settle();
    assert.equal(ctx.account.view.releases[release.id]?.decisions.length, 1);
    assert.match(textOf(msg), /Approved: Checkout 2\.1\.0/);
    assert.match(textOf(msg), /Release\* 2026\.02 — approved by <@UPAM>/);
    assert.ok(ctx.fake.threadReplies(msg.channel, msg.ts).some((m) => m.text.includes('<@UPAM> approved the release *2026.02*')));

    // Rejecting a release: a modal with a reason; every version of the release is updated.
    const { version: v2 } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '2.1.1', releaseId: release.id });
    await ctx.answer('UDEV', `request-approval checkout 2.1.1 staging`);
    const msg2 = await approvalMessage(ctx, v2.id);
    await ctx.settle();
    await ctx.click('URITA', msg2, `release_reject:${release.id}`);
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the release reject modal');
    assert.equal(view.view['callback_id'], 'reject_release');
    await ctx.submit('URITA', view.id, { reason: state.text('the changelog is missing') });
    await ctx.settle();
    assert.equal(ctx.account.view.releases[release.id]?.decisions.find((d) => d.approverId === 'URITA')?.decision, 'reject');
    assert.match(textOf(msg2), /Rejected: Checkout 2\.1\.1/);
    assert.match(textOf(msg2), /rejected by <@URITA>: _the changelog is missing_/);
    assert.match(textOf(msg), /Rejected: Checkout 2\.1\.0/, 'the other version of the release too');
    assert.match(textOf(ctx.fake.dmsTo('UDEV').at(-1) ?? { blocks: [] }), /rejected by <@URITA>/);
    // The rejecter withdraws it from the card: Approve release instead.
    assert.deepEqual(actionIds(msg2), [`release_approve:${release.id}`]);
    await ctx.click('URITA', msg2, `release_approve:${release.id}`);
    await ctx.settle();
    assert.equal(ctx.account.view.releases[release.id]?.decisions.find((d) => d.approverId === 'URITA')?.decision, 'approve');
    assert.doesNotMatch(textOf(msg2), /^Rejected:/);
    ctx.assertClean();
  });

  it('a gate override is announced loudly in the thread; a blocked deploy says what is missing', async () => {
    const versionId = await restRequest(ctx, 'UDEV', 'checkout', '2.2.0', 'production');
    const msg = await approvalMessage(ctx, versionId);
    const blocked = await ctx.answer('UDEV', `deploy ${versionId} production`);
    assert.match(blocked, /^:octagonal_sign: Checkout 2\.2\.0 cannot go to production yet\. Still missing:\n• qa: 1 more approval/);
    assert.match(blocked, /gate:override/);
    const refused = await ctx.answer('UDEV', `deploy ${versionId} production override because hotfix`);
    assert.match(refused, /You need `gate:override` in team Payments/);
    const ok = await ctx.answer('URITA', `deploy checkout 2.2.0 production override because payment outage, CEO approved`);
    assert.match(ok, /Deployed through the blocked gate/);
    await ctx.settle();
    const loud = ctx.fake.threadReplies(msg.channel, msg.ts).find((m) => m.text.includes('overrode the gate'));
    assert.ok(loud, 'a thread reply about the override');
    assert.equal(ctx.fake.callsTo('chat.postMessage').find((c) => String(c.args['text']).includes('overrode the gate'))?.args['reply_broadcast'], 'true', 'broadcast to the channel');
    assert.equal((await ctx.account.auditEvents()).filter((e) => e.type === 'gate.overridden').length, 1);
    ctx.assertClean();
  });
});
