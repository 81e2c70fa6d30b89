import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import type { Ctx } from './rest-harness.js';
import { errorCode, setup } from './rest-harness.js';
import type { SlackCtx } from './support/slack-harness.js';
import { APPROVALS, SECRET, TEAM, setupSlack } from './support/slack-harness.js';
import { blockActionPayload, interactionBody, postSigned } from './support/slack-requests.js';

/**
 * Ids named like members of Object.prototype (`constructor`, `toString`, `hasOwnProperty`,
 * `valueOf`) come from Slack text, button values, user ids and URLs. A lookup in a plain object
 * of the account state finds the prototype's function there; every lookup must ask for an own
 * property instead, and lint keeps the bracket form from coming back.
 */
describe('ids named like prototype members', () => {
  describe('Slack', () => {
    let ctx: SlackCtx;
    beforeEach(async () => {
      ctx = await setupSlack();
    });
    afterEach(async () => {
      await ctx.close();
    });

    it('assign group:hasOwnProperty is refused: the group does not exist, nothing is stored', async () => {
      const seq = ctx.account.seq;
      assert.match(await ctx.answer('UADA', 'assign group:hasOwnProperty admin'), /Group 'hasOwnProperty' does not exist/);
      assert.equal(ctx.account.seq, seq);
    });

    it('group create constructor creates the group (it is not "already there")', async () => {
      assert.match(await ctx.answer('UADA', 'group create constructor'), /Created group \*constructor\*/);
      assert.ok(Object.hasOwn(ctx.account.view.groups, 'constructor'));
    });

    it('a product called constructor: request-approval <product> <version> <environment> finds the version', async () => {
      assert.match(await ctx.answer('UADA', 'product create constructor payments Constructor'), /Created product/);
      await ctx.account.createVersion({ userId: 'UDEV' }, { productId: 'constructor', version: '1.0.0' });
      const text = await ctx.answer('UADA', 'request-approval constructor 1.0.0 production');
      assert.match(text, /Approval requested for production/);
    });

    it('a mentioned user whose id is toString is looked up in Slack like any newcomer', async () => {
      const text = await ctx.answer('UADA', 'assign <@toString> developer payments');
      assert.match(text, /<@toString> now holds \*Developer\* in \*Payments\*/);
      assert.ok(Object.hasOwn(ctx.account.view.users, 'toString'), 'the user was added');
    });

    it('a Slack user whose id is valueOf is recorded with their handle', async () => {
      const r = await ctx.command('valueOf', 'whoami');
      await ctx.fake.waitFor(() => ctx.fake.responsesTo(r.responseUrl)[0], 'the answer');
      assert.ok(Object.hasOwn(ctx.account.view.users, 'valueOf'));
      assert.equal(ctx.account.view.users['valueOf']?.name, 'alueof', 'the user_name Slack sent');
    });

    it('Deny on an access request called constructor: it does not exist', async () => {
      const responseUrl = ctx.fake.responseUrl();
      const payload = blockActionPayload({ teamId: TEAM, userId: 'UADA', userName: 'ada', channelId: APPROVALS, messageTs: '1.000001', actionId: 'access_deny:constructor', blockId: 'b', value: 'constructor', triggerId: ctx.fake.issueTrigger(), responseUrl });
      const seq = ctx.account.seq;
      assert.equal((await postSigned(ctx.endpoint, SECRET, interactionBody(payload))).status, 200);
      const got = await ctx.fake.waitFor(() => ctx.fake.responsesTo(responseUrl)[0], 'the answer');
      assert.match(String(got['text']), /Access request 'constructor' does not exist/);
      assert.equal(ctx.account.seq, seq);
      ctx.assertClean();
    });
  });

  describe('REST', () => {
    let ctx: Ctx;
    beforeEach(async () => {
      ctx = await setup();
    });
    afterEach(async () => {
      await ctx.close();
    });

    for (const [method, path] of [
      ['GET', '/versions/constructor'],
      ['DELETE', '/keys/constructor'],
      ['GET', '/versions/toString/evaluation?environmentId=production'],
      ['GET', '/versions/__proto__'],
      ['GET', '/versions/hasOwnProperty/approvers?environmentId=production'],
    ] as const) {
      it(`${method} ${path} → 404`, async () => {
        const seq = ctx.account.seq;
        const r = await ctx.call(method, path, { key: ctx.key('UADA') });
        assert.equal(r.status, 404);
        assert.equal(errorCode(r.json), 'not_found');
        assert.equal(ctx.account.seq, seq);
      });
    }
  });

  describe('lint', () => {
    it('refuses bracket lookups in the tables of the account state, and allows own-property lookups and writes', async () => {
      const config = pathToFileURL(resolve(fileURLToPath(import.meta.url), '../../../../../eslint.config.mjs')).href;
      const { STATE_LOOKUP } = (await import(config)) as { STATE_LOOKUP: string };
      const linter = new Linter({ configType: 'flat' });
      const lint = (code: string) => linter.verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: { 'no-restricted-syntax': ['error', { selector: STATE_LOOKUP }] } }], 'x.ts');
      for (const bad of ['x.view.users[id]', 's.users[id]', 'account.view.products[p]?.name', 'n.state.teams[t]', 'this.state.grants[g]', 'state.requests[r]']) {
        assert.equal(lint(`const v = ${bad};`).length, 1, `${bad} is refused`);
      }
      for (const good of ['const v = own(s.users, id);', 'state.users[u.id] = u;', 'delete state.rules[r];', 'const v = Object.hasOwn(s.users, id) ? s.users[id] : undefined;', 'const v = other.users[id];']) {
        assert.deepEqual(lint(good), [], `${good} is allowed`);
      }
    });
  });
});
