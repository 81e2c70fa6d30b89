import assert from 'node:assert/strict';
import { createEnvironment, createProduct, createRule, createTeam, deleteRule, updateSettings } from '../../src/domains/catalog/decide.js';
import { ADMIN, World, as, types } from '../support/decider.js';

function world() {
  const w = World.withAccount();
  w.then(w.when(createTeam, { teamId: 'payments', name: 'Payments' }));
  w.then(w.when(createProduct, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: null }));
  return w;
}

describe('domain: catalog (given/when/then)', () => {
  it('when a team is created twice, then the second is a conflict; an id named like a built-in is a new team', () => {
    const w = world();
    w.refused(createTeam, { teamId: 'payments', name: 'Payments again' }, ADMIN, 'conflict');
    const out = w.when(createTeam, { teamId: 'constructor', name: 'Builders' });
    assert.deepEqual(types(out), ['team.created']);
  });

  it('when an environment and a rule are created, then the rule carries its requirements, and deleting it needs deployment_rule:delete', () => {
    const w = world();
    w.then(w.when(createEnvironment, { environmentId: 'production', name: 'Production', productId: null, production: true, channel: null }));
    const rule = w.then(w.when(createRule, { environmentId: 'production', productId: 'checkout', requirements: [{ type: 'qa', quorum: 2 }], requireReleaseApproval: false, separationOfDuties: true }));
    assert.deepEqual(rule.requirements, [{ type: 'qa', quorum: 2 }]);
    w.refused(deleteRule, { ruleId: rule.id }, as('UNOBODY'), 'forbidden');
    assert.deepEqual(types(w.when(deleteRule, { ruleId: rule.id })), ['rule.deleted']);
  });

  it('when the default role would be Admin, then escalation; an unknown team is not found', () => {
    const w = world();
    w.refused(updateSettings, { defaultRoleId: 'admin' }, ADMIN, 'escalation');
    w.refused(updateSettings, { defaultTeamId: 'nope' }, ADMIN, 'not_found');
    const out = w.when(updateSettings, { defaultTeamId: 'payments', defaultChannel: 'C0APPROVALS' });
    assert.deepEqual(types(out), ['account.settings_changed']);
    w.then(out);
    assert.equal(w.state.settings.defaultChannel, 'C0APPROVALS');
  });
});
