import assert from 'node:assert/strict';
import { SYSTEM } from '../src/index.js';
import { delivery, setup } from './helpers.js';

describe('smoke', () => {
  it('runs an approval round', async () => {
    const { account, admin, as } = await setup({ users: { UDEV: 'developer', UQA: 'qa' } });
    await delivery(account, admin);
    const { version } = await account.createVersion(as('UDEV'), { productId: 'checkout', version: '1.0.0' });
    await account.requestApproval(as('UDEV'), { versionId: version.id, environmentId: 'production' });
    assert.equal(account.evaluate({ versionId: version.id, environmentId: 'production' }).ready, false);
    assert.equal(account.pendingApprovals('UQA').length, 1);
    await account.decideVersion(as('UQA'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    assert.equal(account.evaluate({ versionId: version.id, environmentId: 'production' }).ready, true);
    const v = await account.verifyAudit(SYSTEM);
    assert.equal(v.ok, true);
  });
});
