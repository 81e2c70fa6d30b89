import assert from 'node:assert/strict';
import { decideAccessRequest, requestAccess } from '../../src/domains/access-requests/decide.js';
import { createVersion } from '../../src/domains/approvals/decide.js';
import { createProduct, createTeam } from '../../src/domains/catalog/decide.js';
import { assignRole } from '../../src/domains/grants/decide.js';
import { createKey, hashSecret, revokeKey } from '../../src/domains/keys/decide.js';
import { addToRelease, createRelease, deleteRelease, setReleaseFlag } from '../../src/domains/releases/decide.js';
import { ensureUser } from '../../src/domains/users/decide.js';
import { ADMIN, World, as, types } from '../support/decider.js';

function world() {
  const w = World.withAccount();
  for (const u of ['UDEV', 'URM']) w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }));
  w.then(w.when(assignRole, { subject: { type: 'user', id: 'UDEV' }, roleId: 'developer', teamId: null, expiresAt: null }));
  w.then(w.when(assignRole, { subject: { type: 'user', id: 'URM' }, roleId: 'release_manager', teamId: null, expiresAt: null }));
  return w;
}

describe('domain: access requests, keys and releases (given/when/then)', () => {
  it('given a request, when an Admin approves it, then a grant that expires after the asked duration', () => {
    const w = world();
    const request = w.then(w.when(requestAccess, { roleId: 'sre', teamId: null, durationMs: 3_600_000, reason: 'incident 42' }, as('UDEV')), as('UDEV'));
    assert.deepEqual(types(w.when(requestAccess, { roleId: 'sre', teamId: null, durationMs: 3_600_000, reason: 'again' }, as('UDEV'))), []);
    w.refused(decideAccessRequest, { requestId: request.id, approve: true, reason: null }, as('UDEV'), 'forbidden');
    const out = w.when(decideAccessRequest, { requestId: request.id, approve: true, reason: null });
    assert.deepEqual(types(out), ['access_request.approved', 'grant.created']);
    assert.equal(out.result.grant?.expiresAt, w.now + 3_600_000);
    w.then(out);
    w.refused(decideAccessRequest, { requestId: request.id, approve: false, reason: 'changed my mind' }, ADMIN, 'request_not_pending');
  });

  it('a request longer than the account allows is refused with the limit, in days (not `720 hours`, not `too long`)', () => {
    const w = world();
    const err = w.refused(requestAccess, { roleId: 'sre', teamId: null, durationMs: 40 * 86_400_000, reason: 'long' }, as('UDEV'), 'validation_failed');
    assert.equal(err.message, 'the longest access you can request is 30 days');
    assert.deepEqual(err.details, { issues: [{ path: 'durationMs', message: 'at most 30 days' }] });
  });

  it('when a key is created, then only its hash is in the event; revoking another owner\'s key needs api_key:manage', () => {
    const w = world();
    const out = w.when(createKey, { name: 'ci', kind: 'api_key', keyId: 'key_x', secret: 'ghk_key_x_secret' }, as('UDEV'));
    assert.deepEqual(types(out), ['api_key.created']);
    assert.ok(!JSON.stringify(out.events).includes('ghk_key_x_secret'));
    const e = out.events[0];
    assert.ok(e?.type === 'api_key.created');
    assert.equal(e.data.key.hash, hashSecret('ghk_key_x_secret'));
    assert.ok(e.data.key.snapshot?.global.includes('version:create'));
    w.then(out, as('UDEV'));
    w.refused(revokeKey, { keyId: 'key_x' }, as('URM'), 'forbidden');
    assert.deepEqual(types(w.when(revokeKey, { keyId: 'key_x' }, as('UDEV'))), ['api_key.revoked']);
  });

  it('a locked release takes no versions and cannot be deleted; locking twice decides nothing', () => {
    const w = world();
    w.then(w.when(createTeam, { teamId: 'payments', name: 'Payments' }));
    w.then(w.when(createProduct, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: null }));
    const release = w.then(w.when(createRelease, { releaseId: 'r1', productId: 'checkout', name: 'Spring' }, as('URM')), as('URM'));
    const { version } = w.then(w.when(createVersion, { productId: 'checkout', version: '2.0.0', releaseId: null }, as('UDEV')), as('UDEV'));
    w.then(w.when(setReleaseFlag, { releaseId: release.id, flag: 'release.locked' }, as('URM')), as('URM'));
    assert.deepEqual(types(w.when(setReleaseFlag, { releaseId: release.id, flag: 'release.locked' }, as('URM'))), []);
    w.refused(addToRelease, { releaseId: release.id, versionId: version.id }, as('URM'), 'release_locked');
    w.refused(deleteRelease, { releaseId: release.id }, as('URM'), 'release_locked');
    w.refused(setReleaseFlag, { releaseId: release.id, flag: 'release.unlocked' }, as('UDEV'), 'forbidden');
  });
});
