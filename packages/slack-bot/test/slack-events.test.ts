import assert from 'node:assert/strict';
import type { SlackCtx } from './support/slack-harness.js';
import { SECRET, TEAM, setupSlack } from './support/slack-harness.js';
import { eventBody, postSigned } from './support/slack-requests.js';

describe('Slack: events', () => {
  let ctx: SlackCtx;
  beforeEach(async () => {
    ctx = await setupSlack();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const send = (eventId: string, event: Record<string, unknown>, retryNum?: number) =>
    postSigned(ctx.endpoint, SECRET, eventBody(TEAM, eventId, event), { contentType: 'application/json', ...(retryNum === undefined ? {} : { retryNum }) });

  it("answers Slack's URL verification (the manifest's request URL)", async () => {
    const body = JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' });
    const res = await postSigned(ctx.endpoint, SECRET, body, { contentType: 'application/json' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { challenge: 'c-123' });
  });

  it('a user deactivated in Slack is deactivated in Gatehouse; their keys stop working; never the last Admin', async () => {
    const key = ctx.demo?.keys.find((k) => k.userId === 'UDEV')?.secret ?? assert.fail('key');
    const me = () => fetch(`${ctx.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    assert.equal(await me(), 200);
    const res = await send('Ev1', { type: 'user_change', user: { id: 'UDEV', deleted: true, name: 'dev' } });
    assert.equal(res.status, 200);
    await ctx.fake.waitFor(() => ctx.account.view.users['UDEV']?.active === false, 'the deactivation');
    assert.equal(await me(), 401, 'their key stopped working');
    assert.equal(ctx.account.can('UDEV', 'version:create', 'payments'), false);
    // A redelivery of the same event is skipped (nothing left to do anyway).
    assert.equal((await send('Ev1', { type: 'user_change', user: { id: 'UDEV', deleted: true } }, 1)).status, 200);

    await send('Ev2', { type: 'user_change', user: { id: 'UGRACE', deleted: true } });
    await ctx.fake.waitFor(() => ctx.account.view.users['UGRACE']?.active === false, 'Grace deactivated');
    await send('Ev3', { type: 'user_change', user: { id: 'UADA', deleted: true } });
    await ctx.fake.waitFor(() => ctx.logger.lines.find((l) => l.msg.startsWith('a user deactivated in Slack could not be')), 'the refusal to be logged');
    assert.equal(ctx.account.view.users['UADA']?.active, true, 'the last Admin stays');
    await ctx.settle();
    assert.equal(ctx.fake.dmsTo('UDEV').length, 0, 'no DM to a user Slack deactivated');
    ctx.assertClean();
  });

  it('a renamed user is renamed; unknown users are ignored', async () => {
    await send('Ev4', { type: 'user_change', user: { id: 'UVERA', real_name: 'Vera Viewer', profile: { display_name: 'vera.v' } } });
    await ctx.fake.waitFor(() => ctx.account.view.users['UVERA']?.name === 'vera.v', 'the new name');
    const seq = ctx.account.seq;
    await send('Ev5', { type: 'user_change', user: { id: 'USTRANGER', real_name: 'Nobody' } });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ctx.account.seq, seq);
    assert.equal(ctx.account.view.users['USTRANGER'], undefined);
    ctx.assertClean();
  });
});
