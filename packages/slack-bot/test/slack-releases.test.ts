import assert from 'node:assert/strict';
import { checkBlocks } from './support/block-kit.js';
import type { SlackCtx } from './support/slack-harness.js';
import { GENERAL, actionIds, setupSlack, state, textOf } from './support/slack-harness.js';

describe('Slack: releases from the slash command', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const releaseNamed = (name: string) => Object.values(ctx.account.view.releases).find((r) => r.name === name) ?? assert.fail(`release ${name}`);
  /** The ephemeral answer of a command as a message one can click on. */
  const clickable = (blocks: Record<string, unknown>[]) => ({ channel: GENERAL, ts: '1.000001', blocks });
  const answerTo = async (responseUrl: string) => textOf(await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer'));

  it('create, add versions, list; refusals and usage', async () => {
    assert.match(await ctx.answer('URITA', 'release create checkout 2026.03 <spring>'), /Created release \*2026\.03 &lt;spring&gt;\* of \*Checkout\* \(`rel_[^`]+`\)\. Add versions with `\/gatehouse release add rel_[^ ]+ <version>`/, "a name with spaces: the id");
    assert.match(await ctx.answer('URITA', 'release create checkout 2026.04'), /Add versions with `\/gatehouse release add 2026\.04 <version>`/);
    assert.match(await ctx.answer('UVERA', 'release create checkout nope'), /You need `release:create` in team Payments, which none of your roles grants/);
    assert.match(await ctx.answer('URITA', 'release create checkout'), /Name the product, then the release/);
    assert.match(await ctx.answer('URITA', 'release create nothing 1'), /Product 'nothing' does not exist/);

    const r = releaseNamed('2026.04');
    assert.match(await ctx.answer('UDEV', 'release add 2026.04 checkout 1.4.0'), /Added \*Checkout 1\.4\.0\* to release \*2026\.04\*\./);
    const v = Object.values(ctx.account.view.versions).find((x) => x.version === '1.5.0-rc.1') ?? assert.fail('demo version');
    assert.match(await ctx.answer('UDEV', `release add ${r.id} ${v.id}`), /Added \*Checkout 1\.5\.0-rc\.1\* to release \*2026\.04\*/);
    assert.match(await ctx.answer('UDEV', 'release add 2026.04 checkout 1.4.0'), /Nothing changed: \*Checkout 1\.4\.0\* is already in release \*2026\.04\*/);
    assert.equal(ctx.account.view.versions[v.id]?.releaseId, r.id);
    assert.match(await ctx.answer('UDEV', 'release add 2026.04 search-api 3.2.0'), /\*Search API 3\.2\.0\* is a version of \*Search API\*, and release \*2026\.04\* holds versions of \*Checkout\* only/);
    assert.match(await ctx.answer('UVERA', 'release add 2026.04 checkout 1.4.0'), /You need `release:create` in team Payments/);
    assert.match(await ctx.answer('UDEV', 'release add 2026.04'), /Name the release, then the version/);
    assert.match(await ctx.answer('UDEV', 'release add 1999 checkout 1.4.0'), /Release '1999' does not exist\. \(`releases` lists them\)/);

    const all = await ctx.answer('UVERA', 'releases');
    assert.match(all, /\*Releases\* \(2\)/);
    assert.match(all, /• \*2026\.04\* `rel_[^`]+` — Checkout; 2 versions; open; no decision yet/);
    assert.match(await ctx.answer('UVERA', 'releases search-api'), /No releases of \*Search API\* yet/);
    assert.match(await ctx.answer('UVERA', 'releases search api'), /Name one product/);
    assert.match(await ctx.answer('UVERA', 'release'), /Name the release to show/);
    ctx.assertClean();
  });

  it('release <release> shows it with Approve / Reject release, which record decisions', async () => {
    await ctx.answer('URITA', 'release create checkout 2026.05');
    const r = releaseNamed('2026.05');
    await ctx.answer('UDEV', 'release add 2026.05 checkout 1.4.0');
    const shown = await ctx.reply('UVERA', 'release 2026.05');
    assert.deepEqual(checkBlocks(shown.blocks, 'message'), []);
    assert.match(shown.text, /Release 2026\.05/);
    assert.match(shown.text, /Checkout \(team Payments\)/);
    assert.match(shown.text, /\*Versions\* \(1\): `1\.4\.0`/);
    assert.deepEqual(actionIds({ blocks: shown.blocks }), [`release_approve:${r.id}`, `release_reject:${r.id}`]);

    const dev = await ctx.click('UDEV', clickable(shown.blocks), `release_approve:${r.id}`, {}, { ephemeral: true });
    assert.match(await answerTo(dev.responseUrl), /You need `release:approve` in team Payments/);
    const pam = await ctx.click('UPAM', clickable(shown.blocks), `release_approve:${r.id}`, {}, { ephemeral: true });
    assert.match(await answerTo(pam.responseUrl), /You approved the release \*2026\.05\*/);
    assert.deepEqual(ctx.account.view.releases[r.id]?.decisions.map((d) => [d.approverId, d.decision]), [['UPAM', 'approve']]);

    const rita = await ctx.click('URITA', clickable(shown.blocks), `release_reject:${r.id}`, {}, { ephemeral: true });
    const view = await ctx.fake.waitFor(() => ctx.lastView(), 'the reject modal');
    const submit = await ctx.submit('URITA', view.id, { reason: state.text('the notes are missing') });
    assert.equal(submit.status, 200);
    assert.match(await answerTo(rita.responseUrl), /You rejected the release \*2026\.05\*/);
    assert.match(await ctx.answer('UVERA', 'release checkout 2026.05'), /approved by <@UPAM>; rejected by <@URITA>: _the notes are missing_/);
    ctx.assertClean();
  });

  it('lock, unlock, archive, restore, delete; a locked release refuses versions; ambiguous names', async () => {
    await ctx.answer('URITA', 'release create checkout 2026.06');
    assert.match(await ctx.answer('URITA', 'release lock 2026.06'), /Release \*2026\.06\* is locked: no version joins or leaves it\./);
    assert.equal(releaseNamed('2026.06').locked, true);
    assert.match(await ctx.answer('URITA', 'release lock 2026.06'), /Nothing changed: release \*2026\.06\* is already locked/);
    assert.match(await ctx.answer('UDEV', 'release lock 2026.06'), /You need `release:lock` in team Payments/, 'refused even when nothing would change');
    assert.match(await ctx.answer('UDEV', 'release add 2026.06 checkout 1.4.0'), /:lock: Release '2026\.06' is locked: unlock it first/);
    assert.match(await ctx.answer('URITA', 'release unlock 2026.06'), /is unlocked: versions may join it again/);
    assert.match(await ctx.answer('URITA', 'release archive 2026.06'), /is archived: nobody decides on it until it is restored/);
    const archived = await ctx.reply('UVERA', 'release 2026.06');
    assert.deepEqual(actionIds({ blocks: archived.blocks }), [], 'no buttons on an archived release');
    assert.match(archived.text, /Archived: restore it to decide on it/);
    assert.match(await ctx.answer('URITA', 'release restore 2026.06'), /Release \*2026\.06\* is restored\./);
    assert.match(await ctx.answer('URITA', 'release lock'), /Name the release to lock/);

    await ctx.answer('URUSS', 'release create search-api 2026.06');
    assert.match(await ctx.answer('UVERA', 'release 2026.06'), /Several products have a release named 2026\.06: Checkout \(rel_[^)]+\), Search API \(rel_[^)]+\); put the product first or use the id/);
    assert.match(await ctx.answer('UVERA', 'release search-api 2026.06'), /Release 2026\.06[\s\S]*Search API \(team Search\)/);

    assert.match(await ctx.answer('UDEV', 'release delete checkout 2026.06'), /You need `release:delete` in team Payments/);
    assert.match(await ctx.answer('URITA', 'release delete checkout 2026.06'), /Deleted release \*2026\.06\* of \*Checkout\*/);
    assert.equal(Object.values(ctx.account.view.releases).filter((r) => r.name === '2026.06').length, 1);
    ctx.assertClean();
  });
});
