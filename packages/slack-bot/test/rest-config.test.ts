import assert from 'node:assert/strict';
import { ConfigApplyResponseSchema, ConfigPlanSchema } from '@gatehouse/core/contract';
import { parseConfigYaml } from '@gatehouse/core';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup } from './rest-harness.js';

describe('REST: configuration as code', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('GET /config answers JSON, or YAML with the schema line when asked; the schema is public', async () => {
    const json = await ctx.call('GET', '/config', { key: ctx.key('UADA') });
    assert.equal(json.status, 200);
    const teams = (json.json as { teams: Record<string, unknown> }).teams;
    assert.ok(teams['payments'] && teams['search'], JSON.stringify(teams));
    // The harness parses bodies as JSON: fetch the YAML raw.
    const res = await fetch(`${ctx.server.url}/api/v1/config`, { headers: { authorization: `Bearer ${ctx.key('UADA')}`, accept: 'application/yaml' } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/yaml/);
    assert.match(text, /^# yaml-language-server: \$schema=http:\/\/127\.0\.0\.1:\d+\/api\/v1\/config\.schema\.json\n/);
    assert.deepEqual(parseConfigYaml(text).doc.teams, parseConfigYaml(JSON.stringify(json.json)).doc.teams);
    const schema = await ctx.call('GET', '/config.schema.json');
    assert.equal(schema.status, 200);
    assert.equal((schema.json as { title?: string }).title, 'Gatehouse account configuration');
  });

  it('QA may not read the configuration; a Developer may not apply one', async () => {
    const r = await ctx.call('GET', '/config', { key: ctx.key('UQUINN') });
    assert.equal(r.status, 403);
    assert.equal((r.json as { error: { details: { permission: string } } }).error.details.permission, 'user_role:manage');
    const doc = (await ctx.call('GET', '/config', { key: ctx.key('UADA') })).json as Record<string, unknown>;
    const teams = { ...(doc['teams'] as object), mobile: { name: 'Mobile' } };
    const refused = await ctx.call('POST', '/config/apply', { key: ctx.key('UDEV'), body: { config: { ...doc, teams } } });
    assert.equal(refused.status, 403, JSON.stringify(refused.json));
    assert.equal(errorCode(refused.json), 'forbidden');
  });

  it('plan then apply as an Admin: the plan names the change, apply commits it, the next plan is empty', async () => {
    const doc = (await ctx.call('GET', '/config', { key: ctx.key('UADA') })).json as Record<string, unknown>;
    const config = { ...doc, teams: { ...(doc['teams'] as object), mobile: { name: 'Mobile' } } };
    const seq = ctx.account.seq;
    const plan = ConfigPlanSchema.parse((await ctx.call('POST', '/config/plan', { key: ctx.key('UADA'), body: { config } })).json);
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['+ team mobile']);
    assert.equal(ctx.account.seq, seq, 'a plan wrote something');
    const applied = await ctx.call('POST', '/config/apply', { key: ctx.key('UADA'), body: { config } });
    assert.equal(applied.status, 200, JSON.stringify(applied.json));
    assert.equal(ConfigApplyResponseSchema.parse(applied.json).plan.changes.length, 1);
    assert.equal(ctx.account.view.teams['mobile']?.name, 'Mobile');
    const again = ConfigPlanSchema.parse((await ctx.call('POST', '/config/plan', { key: ctx.key('UADA'), body: { config } })).json);
    assert.deepEqual(again.changes, []);
  });

  it('a refused apply is 4xx with the whole plan in the details and writes nothing; a bad document is 400', async () => {
    const doc = (await ctx.call('GET', '/config', { key: ctx.key('UADA') })).json as Record<string, unknown>;
    const users = { ...(doc['users'] as Record<string, object>) };
    users['UADA'] = { ...users['UADA'], active: false };
    const seq = ctx.account.seq;
    const r = await ctx.call('POST', '/config/apply', { key: ctx.key('UADA'), body: { config: { ...doc, users } } });
    assert.equal(r.status, 403);
    assert.equal(errorCode(r.json), 'self_change');
    const details = (r.json as { error: { details: { plan: unknown } } }).error.details;
    assert.equal(ConfigPlanSchema.parse(details.plan).refusals[0]?.change.key, 'UADA');
    assert.equal(ctx.account.seq, seq);
    const bad = await ctx.call('POST', '/config/plan', { key: ctx.key('UADA'), body: { config: { teams: { x: { nam: 'X' } } } } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /Unrecognized key/);
    const unknownRef = await ctx.call('POST', '/config/plan', { key: ctx.key('UADA'), body: { config: { grants: [{ user: 'UVERA', role: 'developr' }] } } });
    assert.equal(unknownRef.status, 400);
    assert.match(JSON.stringify(unknownRef.json), /did you mean 'developer'/);
  });
});
