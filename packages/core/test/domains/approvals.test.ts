import assert from 'node:assert/strict';
import { createDeployment, createVersion, decideVersion, requestApproval } from '../../src/domains/approvals/decide.js';
import { evaluateIn } from '../../src/domains/approvals/evaluate.js';
import { createEnvironment, createProduct, createRule, createTeam } from '../../src/domains/catalog/decide.js';
import { assignRole } from '../../src/domains/grants/decide.js';
import { ensureUser } from '../../src/domains/users/decide.js';
import { World, as, types } from '../support/decider.js';

function world() {
  const w = World.withAccount();
  w.then(w.when(createTeam, { teamId: 'payments', name: 'Payments' }));
  w.then(w.when(createProduct, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: null }));
  w.then(w.when(createEnvironment, { environmentId: 'production', name: 'Production', productId: null, production: true, channel: null }));
  w.then(w.when(createRule, { environmentId: 'production', productId: null, requirements: [{ type: 'qa', quorum: 1 }], requireReleaseApproval: false, separationOfDuties: true }));
  for (const [u, role] of [['UDEV', 'developer'], ['UQA', 'qa'], ['UQA2', 'qa']] as const) {
    w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }));
    w.then(w.when(assignRole, { subject: { type: 'user', id: u }, roleId: role, teamId: null, expiresAt: null }));
  }
  const { version } = w.then(w.when(createVersion, { productId: 'checkout', version: '1.4.0', releaseId: null }, as('UDEV')), as('UDEV'));
  w.then(w.when(requestApproval, { versionId: version.id, environmentId: 'production' }, as('UDEV')), as('UDEV'));
  return { w, versionId: version.id };
}

const approve = (versionId: string) => ({ versionId, approvalType: 'qa' as const, decision: 'approve' as const, reason: null });

describe('domain: approvals (given/when/then)', () => {
  it('given a version waiting for QA, when QA approves, then version.decided and the evaluation it returns is ready', () => {
    const { w, versionId } = world();
    assert.equal(evaluateIn(w.state, versionId, 'production').ready, false);
    const out = w.when(decideVersion, approve(versionId), as('UQA'));
    assert.deepEqual(types(out), ['version.decided']);
    assert.equal(out.result.evaluations[0]?.ready, true);
    w.then(out, as('UQA'));
    assert.equal(evaluateIn(w.state, versionId, 'production').ready, true);
  });

  it('when the same approver approves again, then nothing is decided', () => {
    const { w, versionId } = world();
    w.then(w.when(decideVersion, approve(versionId), as('UQA')), as('UQA'));
    const again = w.when(decideVersion, approve(versionId), as('UQA'));
    assert.deepEqual(types(again), []);
    assert.equal(again.result.changed, false);
  });

  it('when the creator approves their own version, then separation_of_duties; without the type, forbidden', () => {
    const { w, versionId } = world();
    w.then(w.when(assignRole, { subject: { type: 'user', id: 'UDEV' }, roleId: 'qa', teamId: null, expiresAt: null }));
    w.refused(decideVersion, approve(versionId), as('UDEV'), 'separation_of_duties');
    w.refused(decideVersion, { ...approve(versionId), approvalType: 'security' }, as('UQA'), 'forbidden');
  });

  it('when deploying through a blocked gate, then deployment_blocked lists what is missing; after approval it deploys', () => {
    const { w, versionId } = world();
    const err = w.refused(createDeployment, { versionId, environmentId: 'production', override: null }, as('UDEV'), 'deployment_blocked');
    assert.deepEqual((err.details as { missing: string[] }).missing, ['qa: 1 more approval']);
    w.then(w.when(decideVersion, approve(versionId), as('UQA')), as('UQA'));
    assert.deepEqual(types(w.when(createDeployment, { versionId, environmentId: 'production', override: null }, as('UDEV'))), ['deployment.created']);
  });

  it('a rejection blocks until withdrawn, whatever the other approvals', () => {
    const { w, versionId } = world();
    w.then(w.when(decideVersion, { ...approve(versionId), decision: 'reject', reason: 'flaky tests' }, as('UQA')), as('UQA'));
    w.then(w.when(decideVersion, approve(versionId), as('UQA2')), as('UQA2'));
    assert.deepEqual(evaluateIn(w.state, versionId, 'production').missing, ['qa: rejected by UQA']);
    w.then(w.when(decideVersion, approve(versionId), as('UQA')), as('UQA'));
    assert.equal(evaluateIn(w.state, versionId, 'production').ready, true);
  });
});
