import assert from 'node:assert/strict';
import type { PendingApprovalDto } from '@gatehouse/core/contract';
import { HttpApiClient } from '../../src/api-client.js';
import { ProductNode, ReleaseNode, RequirementNode, VersionNode, approvalsRoots, summarize } from '../../src/tree/approvals-tree.js';
import type { TreeNode } from '../../src/tree/node.js';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';

/** The `when` clauses of package.json, as regexes over contextValue. */
const DECIDABLE = /\.decidable/;
const SLACK = /\.slack/;

function flat(nodes: readonly TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flat(n.children())]);
}

describe('vscode-ext: "Pending approvals" tree', () => {
  let demo: DemoServer;
  let qa: PendingApprovalDto[];
  let admin: PendingApprovalDto[];
  before(async () => {
    demo = await startDemoServer();
    qa = await new HttpApiClient({ baseUrl: demo.url, key: demo.key('UQUINN') }).pendingApprovals();
    admin = await new HttpApiClient({ baseUrl: demo.url, key: demo.key('UADA') }).pendingApprovals();
  });
  after(async () => {
    await demo.close();
  });

  it('groups by product; each version shows environment, creator and what is done', () => {
    const roots = approvalsRoots(qa);
    assert.ok(roots.every((r) => r instanceof ProductNode));
    assert.deepEqual(
      roots.map((r) => `${r.item().label} — ${r.item().description}`),
      ['Checkout — 1 version waiting', 'Search API — 1 version waiting'],
    );
    const versions = roots.flatMap((r) => r.children());
    assert.deepEqual(
      versions.map((v) => `${v.item().label} — ${v.item().description}`),
      ['1.5.0-rc.1 → staging — 0/1 done · by Dev (Developer, Payments)', '3.2.0 → production — 0/3 done · by Eli (Developer, Search)'],
    );
    assert.equal(versions[1]!.item().icon, 'rocket', 'production is marked');
    assert.match(versions[1]!.item().tooltip ?? '', /Missing: QA, Security, Operational/);
  });

  it('the requirements say what is done and what is missing; Approve/Reject only where the user can give the type', () => {
    // Ada (Admin) sees Checkout 1.4.0 → production, where QA is already done.
    const v = approvalsRoots(admin)
      .flatMap((p) => p.children())
      .find((n) => n.pending.version.version === '1.4.0');
    assert.ok(v);
    const reqs = v.children().filter((c): c is RequirementNode => c instanceof RequirementNode);
    assert.deepEqual(
      reqs.map((r) => `${r.item().label} — ${r.item().description}`),
      ['QA — done · approved by UQUINN', 'Security — missing 1 of 1 · you can give it', 'Operational — missing 1 of 1 · you can give it'],
    );
    assert.equal(reqs[0]!.item().icon, 'pass');
    assert.doesNotMatch(reqs[0]!.item().contextValue ?? '', DECIDABLE, 'nothing to decide on a done requirement');
    assert.match(reqs[1]!.item().contextValue ?? '', DECIDABLE);

    // Quinn (QA) on Search API 3.2.0 → production: may give QA only.
    const q = approvalsRoots(qa)
      .flatMap((p) => p.children())
      .find((n) => n.pending.version.version === '3.2.0')!;
    const byType = Object.fromEntries(q.children().map((c) => [c.item().label, c.item().contextValue]));
    assert.deepEqual(byType, { QA: 'requirement.decidable', Security: 'requirement', Operational: 'requirement' });
    assert.match(q.item().contextValue ?? '', DECIDABLE);
  });

  it('a version without something the user can give has no actions; "Open in Slack" only with a permalink', () => {
    const base = qa[0]!;
    const none = new VersionNode({ ...base, canGive: [] });
    assert.equal(none.item().contextValue, 'version');
    assert.ok(flat([none]).every((n) => !DECIDABLE.test(n.item().contextValue ?? '')));
    const posted = new VersionNode({ ...base, version: { ...base.version, message: { channel: 'C1', ts: '1.2', permalink: 'https://acme.slack.com/archives/C1/p12' } } });
    assert.match(posted.item().contextValue ?? '', SLACK);
    assert.equal(posted.permalink, 'https://acme.slack.com/archives/C1/p12');
    const unposted = new VersionNode({ ...base, version: { ...base.version, message: { channel: 'C1', ts: '1.2', permalink: null } } });
    assert.doesNotMatch(unposted.item().contextValue ?? '', SLACK);
  });

  it('shows rejections and the release approval when the rule asks for one', () => {
    const base = admin.find((p) => p.version.version === '1.4.0')!;
    const [qaReq, ...rest] = base.evaluation.requirements;
    const evaluation = {
      ...base.evaluation,
      requirements: [qaReq!, { ...rest[0]!, rejectedBy: ['USEC'] }, ...rest.slice(1)],
      release: { required: true, releaseId: 'rel1', approved: false, approvedBy: [], rejectedBy: [] },
    };
    const v = new VersionNode({ ...base, evaluation });
    const kids = v.children();
    assert.equal(kids[1]!.item().description, 'missing 1 of 1 · rejected by USEC · you can give it');
    assert.equal(kids[1]!.item().icon, 'error');
    const release = kids.at(-1)!;
    assert.ok(release instanceof ReleaseNode);
    assert.equal(release.item().description, 'missing: the release needs approval');
    assert.deepEqual(summarize(evaluation), { done: ['QA'], missing: ['Security', 'Operational', 'Release'] });
    assert.equal(v.item().description, `1/4 done · by ${base.creator.name}`);
  });

  it('ids are unique; an empty list has no roots', () => {
    const ids = flat(approvalsRoots(admin)).map((n) => n.item().id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(approvalsRoots([]), []);
  });
});
