import assert from 'node:assert/strict';
import type { PendingApprovalDto } from '@gatehouse/core/contract';
import { HttpApiClient } from '../../src/api-client.js';
import { ProductNode, ReleaseNode, RequirementNode, VersionNode, approvalsRoots, followUpMarkers, summarize } from '../../src/tree/approvals-tree.js';
import type { TreeNode } from '../../src/tree/node.js';
import type { DemoServer } from '../support/demo-server.js';
import { startDemoServer } from '../support/demo-server.js';

/** The `when` clauses of package.json, as regexes over contextValue. */
const DECIDABLE = /\.decidable/;
const SLACK = /\.slack/;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A fixed clock, as the model's `now` gives it. */
const NOW = Date.UTC(2026, 11, 1, 9, 0);

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
    const roots = approvalsRoots(qa, Date.now());
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
    assert.match(versions[1]!.item().tooltip ?? '', /^Search API 3\.2\.0 → production$/m, 'an environment named "production" is not marked "(production)" again');
    assert.deepEqual(
      roots.map((r) => r.item().tooltip),
      ['Checkout (team Payments)', 'Search API (team Search)'],
      'the team by name',
    );
  });

  it('a production environment whose name does not say so is marked in the tooltip', () => {
    const base = qa.find((p) => p.version.version === '3.2.0')!;
    const live = new VersionNode({ ...base, environment: { ...base.environment, name: 'live' } }, NOW);
    assert.match(live.item().tooltip ?? '', /^Search API 3\.2\.0 → live \(production environment\)$/m);
    const prodEu = new VersionNode({ ...base, environment: { ...base.environment, name: 'Prod EU' } }, NOW);
    assert.match(prodEu.item().tooltip ?? '', /^Search API 3\.2\.0 → Prod EU$/m);
  });

  it('the requirements say what is done and what is missing; Approve/Reject only where the user can give the type', () => {
    // Ada (Admin) sees Checkout 1.4.0 → production, where QA is already done.
    const v = approvalsRoots(admin, Date.now())
      .flatMap((p) => p.children())
      .find((n) => n.pending.version.version === '1.4.0');
    assert.ok(v);
    const reqs = v.children().filter((c): c is RequirementNode => c instanceof RequirementNode);
    assert.deepEqual(
      reqs.map((r) => `${r.item().label} — ${r.item().description}`),
      ['QA — done · approved by Quinn (QA)', 'Security — missing 1 of 1 · you can give it', 'Operational — missing 1 of 1 · you can give it'],
    );
    assert.equal(reqs[0]!.item().icon, 'pass');
    assert.doesNotMatch(reqs[0]!.item().contextValue ?? '', DECIDABLE, 'nothing to decide on a done requirement');
    assert.match(reqs[1]!.item().contextValue ?? '', DECIDABLE);

    // Quinn (QA) on Search API 3.2.0 → production: may give QA only.
    const q = approvalsRoots(qa, Date.now())
      .flatMap((p) => p.children())
      .find((n) => n.pending.version.version === '3.2.0')!;
    const byType = Object.fromEntries(q.children().map((c) => [c.item().label, c.item().contextValue]));
    assert.deepEqual(byType, { QA: 'requirement.decidable', Security: 'requirement', Operational: 'requirement' });
    assert.match(q.item().contextValue ?? '', DECIDABLE);
  });

  it('a version without something the user can give has no actions; "Open in Slack" only with a permalink', () => {
    const base = qa[0]!;
    const none = new VersionNode({ ...base, canGive: [] }, Date.now());
    assert.equal(none.item().contextValue, 'version');
    assert.ok(flat([none]).every((n) => !DECIDABLE.test(n.item().contextValue ?? '')));
    const posted = new VersionNode({ ...base, version: { ...base.version, message: { channel: 'C1', ts: '1.2', permalink: 'https://acme.slack.com/archives/C1/p12' } } }, Date.now());
    assert.match(posted.item().contextValue ?? '', SLACK);
    assert.equal(posted.permalink, 'https://acme.slack.com/archives/C1/p12');
    const unposted = new VersionNode({ ...base, version: { ...base.version, message: { channel: 'C1', ts: '1.2', permalink: null } } }, Date.now());
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
    const people = [...(base.people ?? []), { id: 'USEC', name: 'Sec (Security)' }];
    const v = new VersionNode({ ...base, evaluation, people }, Date.now());
    const kids = v.children();
    assert.equal(kids[1]!.item().description, 'missing 1 of 1 · rejected by Sec (Security) · you can give it');
    assert.equal(kids[1]!.item().icon, 'error');
    const release = kids.at(-1)!;
    assert.ok(release instanceof ReleaseNode);
    assert.equal(release.item().description, 'missing: the release needs approval');
    assert.deepEqual(summarize(evaluation), { done: ['QA'], missing: ['Security', 'Operational', 'Release'] });
    assert.equal(v.item().description, `1/4 done · by ${base.creator.name}`);
    const approved = new VersionNode({ ...base, people, evaluation: { ...evaluation, release: { ...evaluation.release, approved: true, approvedBy: ['URITA'] } } }, Date.now());
    assert.equal(approved.children().at(-1)!.item().description, 'done · approved by URITA', 'someone the server did not name: the id rather than nothing');
  });

  it('a service account reads as one; an older server without names shows the ids', () => {
    const base = admin.find((p) => p.version.version === '1.4.0')!;
    const ci = { ...base, creator: { id: 'UCI', name: 'CI' }, people: [{ id: 'UCI', name: 'CI', serviceAccount: true }, ...(base.people ?? [])] };
    const v = new VersionNode(ci, NOW);
    assert.equal(v.item().description, '1/3 done · by CI (service account)');
    assert.match(v.item().tooltip ?? '', /^Created by CI \(service account\) on /m);
    const { people: _p, ...old } = base;
    assert.equal(new VersionNode(old, NOW).children()[0]!.item().description, 'done · approved by UQUINN');
  });

  it('ids are unique; an empty list has no roots', () => {
    const ids = flat(approvalsRoots(admin, Date.now())).map((n) => n.item().id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(approvalsRoots([], Date.now()), []);
  });

  describe('follow-up and delegation markers', () => {
    /** Search API 3.2.0 → production as Quinn sees it, with the follow-up and delegation a newer server sends. */
    function setup(over: Partial<PendingApprovalDto> = {}): PendingApprovalDto {
      const base = qa.find((p) => p.version.version === '3.2.0')!;
      return { ...base, followUp: { requestedAt: NOW - 5 * MIN, dueAt: null, overdue: false, reminders: 0, escalated: false }, ...over };
    }
    const line = (n: { item(): { label: string; description?: string } }) => `${n.item().label} — ${n.item().description}`;

    it('an overdue version with a timeout, approved on behalf of a delegator: markers first, names not ids', () => {
      const p = setup({
        followUp: { requestedAt: NOW - 3 * HOUR, dueAt: NOW + 5 * HOUR, overdue: true, reminders: 2, escalated: false },
        onBehalfOf: [{ id: 'USEC', name: 'Sec (Security)' }],
      });
      const [product] = approvalsRoots([p], NOW);
      assert.equal(line(product!), 'Search API — 1 version waiting · 1 overdue');
      const v = product!.children()[0]!;
      const it = v.item();
      assert.equal(line(v), '3.2.0 → production — overdue · waiting 3 h · times out in 5 h · on behalf of Sec (Security) · 0/3 done · by Eli (Developer, Search)');
      assert.equal(it.icon, 'warning');
      assert.equal(it.iconColor, 'list.warningForeground');
      assert.match(it.tooltip ?? '', /^Requested 2026-12-01 06:00 UTC \(waiting 3 h\)$/m);
      assert.match(it.tooltip ?? '', /^Times out 2026-12-01 14:00 UTC \(in 5 h\)$/m);
      assert.match(it.tooltip ?? '', /^Overdue: 2 reminders sent$/m);
      assert.match(it.tooltip ?? '', /the approvals of Sec \(Security\)$/m);
      assert.doesNotMatch(`${it.description} ${it.tooltip}`, /USEC/, 'people are named, not identified');
      assert.match(it.contextValue ?? '', DECIDABLE, 'still decidable');
    });

    it('the model’s clock decides "times out in …" and "timed out … ago"', () => {
      const p = setup({ followUp: { requestedAt: NOW - 5 * MIN, dueAt: NOW + 5 * HOUR, overdue: false, reminders: 0, escalated: false } });
      assert.equal(new VersionNode(p, NOW).item().description, 'times out in 5 h · 0/3 done · by Eli (Developer, Search)');
      assert.equal(new VersionNode(p, NOW + 4 * HOUR + 15 * MIN).item().description, 'times out in 45 min · 0/3 done · by Eli (Developer, Search)');
      const late = new VersionNode(p, NOW + 7 * HOUR);
      assert.equal(late.item().description, 'timed out 2 h ago · 0/3 done · by Eli (Developer, Search)');
      assert.equal(late.item().icon, 'warning', 'past its timeout counts as overdue');
      assert.equal(approvalsRoots([p], NOW + 7 * HOUR)[0]!.item().description, '1 version waiting · 1 overdue');
    });

    it('a fresh request without timeout stays quiet; a long wait or an escalation is said', () => {
      assert.equal(new VersionNode(setup(), NOW).item().description, '0/3 done · by Eli (Developer, Search)');
      assert.equal(new VersionNode(setup(), NOW).item().icon, 'rocket');
      assert.match(new VersionNode(setup(), NOW).item().tooltip ?? '', /^No timeout$/m);
      const f = { requestedAt: NOW - 2 * DAY, dueAt: null, overdue: false, reminders: 0, escalated: false };
      assert.deepEqual(followUpMarkers(f, NOW), ['waiting 2 days']);
      assert.deepEqual(followUpMarkers({ ...f, overdue: true, escalated: true, reminders: 3 }, NOW), ['overdue, escalated', 'waiting 2 days']);
      assert.deepEqual(followUpMarkers(undefined, NOW), []);
    });

    it('an older server (no follow-up, no delegations) shows what it always did', () => {
      const { followUp: _f, onBehalfOf: _o, ...old } = setup({ onBehalfOf: [] });
      assert.equal(new VersionNode(old, NOW).item().description, '0/3 done · by Eli (Developer, Search)');
      assert.equal(new VersionNode(setup({ onBehalfOf: [] }), NOW).item().description, '0/3 done · by Eli (Developer, Search)', 'an empty onBehalfOf says nothing');
      assert.equal(approvalsRoots([old], NOW)[0]!.item().description, '1 version waiting');
    });
  });
});
