import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, setupSlack, textOf } from './support/slack-harness.js';

const ada = { userId: 'UADA' };

describe('Slack: where approval messages go', () => {
  let ctx: SlackCtx;
  afterEach(async () => {
    await ctx.close();
  });

  /** Requests approval of a new Checkout version for production and returns the channel its message went to. */
  async function postedIn(version: string): Promise<string> {
    const { version: v } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version });
    assert.match(await ctx.answer('UDEV', `request-approval ${v.id} production`), /Approval requested for production/);
    const ref = await ctx.fake.waitFor(() => ctx.account.view.versions[v.id]?.message, 'the approval message');
    await ctx.settle();
    return ref.channel;
  }

  it('environment channel → product channel → account setting → GATEHOUSE_DEFAULT_CHANNEL', async () => {
    ctx = await setupSlack();
    assert.equal(await postedIn('3.0.0'), APPROVALS, 'the server default when nothing else is set');
    await ctx.account.updateSettings(ada, { defaultChannel: 'CACCOUNT' });
    assert.equal(await postedIn('3.0.1'), 'CACCOUNT', 'the account setting before the server default');
    await ctx.account.updateProduct(ada, { productId: 'checkout', channel: 'CCHECKOUT' });
    assert.equal(await postedIn('3.0.2'), 'CCHECKOUT', "the product's channel before the account's");
    await ctx.account.updateEnvironment(ada, { environmentId: 'production', channel: 'CPROD' });
    assert.equal(await postedIn('3.0.3'), 'CPROD', "the environment's channel first");
    ctx.assertClean();
  });

  it('request-approval says where the message goes, and what to set when no channel is configured', async () => {
    ctx = await setupSlack({ env: { GATEHOUSE_DEFAULT_CHANNEL: '' } });
    const { version: v } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '3.1.0' });
    const none = await ctx.answer('UDEV', `request-approval ${v.id} production`);
    assert.doesNotMatch(none, /being asked in the approvals channel/);
    assert.match(none, /No channel is set for approval messages, so nobody is asked yet\. An administrator sets one with `\/gatehouse settings channel #channel`/);
    await ctx.settle();
    assert.equal(ctx.account.view.versions[v.id]?.message, null, 'nothing was posted');
    assert.match(textOf(ctx.fake.dmsTo('UDEV')[0] ?? { blocks: [] }), /no channel is set for approval messages\. An administrator sets one with `\/gatehouse settings channel #channel`/);

    await ctx.account.updateSettings(ada, { defaultChannel: 'CACCOUNT' });
    const { version: w } = await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'checkout', version: '3.1.1' });
    assert.match(await ctx.answer('UDEV', `request-approval checkout 3.1.1 production`), /The approval message goes to <#CACCOUNT>\./);
    await ctx.fake.waitFor(() => ctx.account.view.versions[w.id]?.message, 'the approval message');
    ctx.assertClean();
  });
});
