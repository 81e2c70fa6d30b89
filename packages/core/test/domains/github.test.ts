import assert from 'node:assert/strict';
import { decideVersion, createVersion } from '../../src/domains/approvals/decide.js';
import { createEnvironment, createProduct, createRule, createTeam, updateProduct } from '../../src/domains/catalog/decide.js';
import { ClaimGithubCallbackInput, RecordGithubCallbackInput, RequestGithubReviewInput } from '../../src/domains/github/commands.js';
import { claimGithubCallback, recordGithubCallback, requestGithubReview } from '../../src/domains/github/decide.js';
import { githubVerdict, openGithubReviews } from '../../src/domains/github/queries.js';
import { SYSTEM } from '../../src/kernel/decider.js';
import { exportConfig } from '../../src/config/export.js';
import { planConfig } from '../../src/config/plan.js';
import { ConfigDocSchema } from '../../src/config/schema.js';
import { assignRole } from '../../src/domains/grants/decide.js';
import { ensureUser } from '../../src/domains/users/decide.js';
import { ADMIN, World, as, types } from '../support/decider.js';

const SHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f9012345678';

function world() {
  const w = World.withAccount();
  w.then(w.when(createTeam, { teamId: 'payments', name: 'Payments' }));
  w.then(w.when(createProduct, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: null, repositories: ['Acme/Checkout'] }));
  w.then(w.when(createProduct, { productId: 'billing', name: 'Billing', teamId: 'payments', channel: null }));
  w.then(w.when(createEnvironment, { environmentId: 'production', name: 'Production', productId: null, production: true, channel: null }));
  w.then(w.when(createEnvironment, { environmentId: 'stage', name: 'Staging', productId: null, production: false, channel: null }));
  w.then(w.when(createRule, { environmentId: 'production', productId: null, requirements: [{ type: 'qa', quorum: 1 }], requireReleaseApproval: false, separationOfDuties: true }));
  for (const u of ['UQA', 'UQB']) {
    w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }, SYSTEM), SYSTEM);
    w.then(w.when(assignRole, { subject: { type: 'user', id: u }, roleId: 'qa', teamId: null, expiresAt: null }));
  }
  return w;
}

const ask = (over: Record<string, unknown> = {}) =>
  RequestGithubReviewInput.parse({
    repository: 'acme/checkout',
    environmentName: 'production',
    sha: SHA,
    ref: 'refs/heads/main',
    runId: 4242,
    callbackUrl: 'https://api.github.com/repos/acme/checkout/actions/runs/4242/deployment_protection_rule',
    installationId: 77,
    deliveryId: 'd-1',
    ...over,
  });

describe('domain: GitHub deployment protection rules (given/when/then)', () => {
  it('a review maps the repository (any case) to its product, the environment by id, the sha to a new version, and requests approval in one commit', () => {
    const w = world();
    const out = w.when(requestGithubReview, ask(), SYSTEM);
    assert.deepEqual(types(out), ['version.created', 'version.approval_requested', 'github.review_requested']);
    const r = w.then(out, SYSTEM);
    assert.equal(r.created, true);
    assert.equal(r.versionCreated, true);
    const v = w.state.versions[r.version.id];
    assert.deepEqual([v?.productId, v?.version, v?.commit, v?.createdBy, v?.requestedFor], ['checkout', SHA, SHA, 'system', ['production']]);
    const review = w.state.githubReviews?.[r.review.id];
    assert.deepEqual([review?.repository, review?.runId, review?.environmentId, review?.installationId, review?.ref, review?.callback], ['acme/checkout', 4242, 'production', 77, 'refs/heads/main', null]);
  });

  it('a redelivery, or another delivery for the same run and environment, records nothing; a run for another environment is its own review', () => {
    const w = world();
    w.then(w.when(requestGithubReview, ask(), SYSTEM), SYSTEM);
    assert.deepEqual(types(w.when(requestGithubReview, ask(), SYSTEM)), []);
    assert.deepEqual(types(w.when(requestGithubReview, ask({ deliveryId: 'd-2' }), SYSTEM)), []);
    const other = w.then(w.when(requestGithubReview, ask({ deliveryId: 'd-3', environmentName: 'STAGING' }), SYSTEM), SYSTEM);
    assert.equal(other.review.environmentId, 'stage', 'matched by name, ignoring case');
    assert.equal(other.versionCreated, false, 'the same commit is the same version');
    assert.equal(Object.keys(w.state.githubReviews ?? {}).length, 2);
  });

  it('a version CI registered with the commit is the one reviewed; unknown repositories and environments are refused with what to set', () => {
    const w = world();
    const ci = w.then(w.when(createVersion, { productId: 'checkout', version: '1.4.2', releaseId: null, commit: SHA }));
    const r = w.then(w.when(requestGithubReview, ask(), SYSTEM), SYSTEM);
    assert.equal(r.version.id, ci.version.id);
    assert.match(w.refused(requestGithubReview, ask({ repository: 'acme/unknown', deliveryId: 'x' }), SYSTEM, 'not_found').message, /products\.<id>\.repositories/);
    assert.match(w.refused(requestGithubReview, ask({ environmentName: 'qa-env', deliveryId: 'y' }), SYSTEM, 'not_found').message, /no environment of product 'checkout' is called 'qa-env'/);
  });

  it('a repository belongs to one product', () => {
    const w = world();
    w.refused(updateProduct, { productId: 'billing', repositories: ['ACME/checkout'] }, ADMIN, 'conflict');
    w.refused(createProduct, { productId: 'other', name: 'Other', teamId: 'payments', channel: null, repositories: ['acme/checkout'] }, ADMIN, 'conflict');
    const after = w.then(w.when(updateProduct, { productId: 'checkout', repositories: [] }));
    assert.equal(after.repositories, undefined, 'an empty list removes the field');
  });

  it('the verdict: null while approvals are missing, approved when ready, rejected on a rejection', () => {
    const w = world();
    const { review } = w.then(w.when(requestGithubReview, ask(), SYSTEM), SYSTEM);
    assert.equal(githubVerdict(w.state, review), null);
    w.then(w.when(decideVersion, { versionId: review.versionId, approvalType: 'qa', decision: 'reject', reason: 'flaky tests' }, as('UQA')), as('UQA'));
    assert.equal(githubVerdict(w.state, review)?.state, 'rejected');
    w.then(w.when(decideVersion, { versionId: review.versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('UQA')), as('UQA'));
    assert.equal(githubVerdict(w.state, review)?.state, 'approved');
  });

  it('one instance claims the callback; another takes over only after the lease, keeping the answer; it ends once', () => {
    const w = world();
    const { review } = w.then(w.when(requestGithubReview, ask(), SYSTEM), SYSTEM);
    const claim = (instance: string, state: 'approved' | 'rejected' = 'approved') => ClaimGithubCallbackInput.parse({ reviewId: review.id, state, comment: `${state} by ${instance}`, instance, leaseMs: 60_000 });
    w.refused(claimGithubCallback, claim('a'), ADMIN, 'forbidden');
    const a = w.then(w.when(claimGithubCallback, claim('a'), SYSTEM), SYSTEM);
    assert.equal(a?.instance, 'a');
    assert.deepEqual(types(w.when(claimGithubCallback, claim('b', 'rejected'), SYSTEM)), [], 'b may not while a holds the lease');
    w.now += 60_001;
    const b = w.then(w.when(claimGithubCallback, claim('b', 'rejected'), SYSTEM), SYSTEM);
    assert.deepEqual([b?.instance, b?.state, b?.comment], ['b', 'approved', 'approved by a'], 'the first claim fixed the answer');
    const record = (instance: string) => RecordGithubCallbackInput.parse({ reviewId: review.id, instance, outcome: 'sent', attempts: 2, status: 204 });
    assert.equal(w.then(w.when(recordGithubCallback, record('b'), SYSTEM), SYSTEM), true);
    assert.deepEqual(types(w.when(recordGithubCallback, record('a'), SYSTEM)), [], 'ended once');
    assert.deepEqual(types(w.when(claimGithubCallback, claim('c'), SYSTEM)), [], 'nothing to claim once sent');
    assert.deepEqual(openGithubReviews(w.state), []);
    assert.deepEqual([w.state.githubReviews?.[review.id]?.callback?.outcome, w.state.githubReviews?.[review.id]?.callback?.attempts], ['sent', 2]);
  });

  it('configuration as code: products carry repositories; export gives them back and a plan shows the change', () => {
    const w = world();
    const doc = exportConfig(w.state, w.now);
    assert.deepEqual(doc.products?.['checkout'], { name: 'Checkout', team: 'payments', repositories: ['Acme/Checkout'] });
    assert.equal(doc.products?.['billing']?.repositories, undefined, 'none: left out');
    const edited = ConfigDocSchema.parse({ ...doc, products: { ...doc.products, billing: { name: 'Billing', team: 'payments', repositories: ['acme/billing'] } } });
    const { plan, events } = planConfig(w.state, edited, w.env(ADMIN), false);
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.key, c.fields]), [['product', 'billing', [{ field: 'repositories', before: [], after: ['acme/billing'] }]]]);
    assert.deepEqual(events.map((e) => e.type), ['product.updated']);
    assert.equal(ConfigDocSchema.safeParse({ products: { x: { name: 'X', team: 'payments', repositories: ['not a repo'] } } }).success, false);
    assert.deepEqual(planConfig(w.state, ConfigDocSchema.parse(doc), w.env(ADMIN), false).plan.changes, [], 'applying an export changes nothing');
  });
});
