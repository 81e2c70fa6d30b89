import assert from 'node:assert/strict';
import type { MeResponse, PendingApprovalDto } from '@gatehouse/core/contract';
import { AutoRefresh } from '../../src/auto-refresh.js';
import { FAILURE_KINDS, GatehouseApiError } from '../../src/errors.js';
import type { Snapshot } from '../../src/model.js';
import { SIGNED_OUT } from '../../src/model.js';
import { ALL_PERMISSIONS, describeCan, describeFailure, failureActions, scopeChoices, statusBar, viewMessage } from '../../src/presentation.js';

function me(primaryRole: string | null): MeResponse {
  return {
    account: { id: 'T1', name: 'Acme' },
    user: { id: 'UQ', name: 'Quinn', email: null },
    key: { id: 'k1', name: 'laptop', kind: 'personal_token' },
    primaryRole,
    scopes: [
      { teamId: null, teamName: 'Global', roles: [], permissions: [] },
      { teamId: 'payments', teamName: 'Payments', roles: [], permissions: [] },
    ],
  };
}

function ready(over: Partial<Snapshot> = {}): Snapshot {
  return { status: 'ready', serverUrl: 'http://gh', me: me('QA'), pending: [{} as PendingApprovalDto, {} as PendingApprovalDto], error: null, updatedAt: Date.UTC(2026, 0, 1, 9, 5), ...over };
}

describe('vscode-ext: status bar, view messages and words', () => {
  it('status bar: primary role and pending count; click focuses the approvals when some wait', () => {
    const s = statusBar(ready());
    assert.equal(s.text, '$(shield) QA $(bell-dot) 2');
    assert.equal(s.command, 'gatehouse.approvals.focus');
    assert.equal(s.warning, false);
    assert.match(s.tooltip, /2 approvals waiting for you/);
    const none = statusBar(ready({ pending: [], me: me(null) }));
    assert.equal(none.text, '$(shield) no role $(bell) 0');
    assert.equal(none.command, 'gatehouse.access.focus');
    assert.equal(statusBar(SIGNED_OUT).command, 'gatehouse.signIn');
    assert.equal(statusBar(ready({ pending: null })).text, '$(shield) QA', 'no count while the list loads');
  });

  it('stale data is marked in the status bar and above the views', () => {
    const err = new GatehouseApiError('unreachable', 'cannot reach the Gatehouse server at http://gh: connection refused (is the server running?)');
    const s = ready({ error: err });
    const bar = statusBar(s);
    assert.equal(bar.text, '$(warning) QA $(bell-dot) 2');
    assert.equal(bar.warning, true);
    assert.match(bar.tooltip, /Stale: .*connection refused/);
    assert.match(viewMessage(s) ?? '', /^⚠ Stale \(last updated \d\d:\d\d\): Gatehouse: cannot reach/);
    assert.equal(viewMessage(ready()), undefined);
    assert.equal(viewMessage(SIGNED_OUT), undefined);
    assert.match(viewMessage({ ...SIGNED_OUT, status: 'failed', error: new GatehouseApiError('unauthorized', 'unknown API key') }) ?? '', /refused the key: unknown API key/);
  });

  it('every failure kind has words and follow-up buttons', () => {
    for (const kind of FAILURE_KINDS) {
      const e = new GatehouseApiError(kind, 'something');
      assert.ok(describeFailure(e).startsWith('Gatehouse'), kind);
      assert.ok(Array.isArray(failureActions(e)));
    }
    assert.deepEqual(failureActions(new GatehouseApiError('unauthorized', 'x')), ['Sign in…']);
    assert.deepEqual(failureActions(new GatehouseApiError('unreachable', 'x')), ['Retry', 'Open settings']);
  });

  it('"Can I …?": the registry to pick from, the scopes, and the answer with the reason on deny', () => {
    assert.ok(ALL_PERMISSIONS.includes('version:approve:qa'));
    assert.ok(ALL_PERMISSIONS.includes('gate:override'));
    assert.deepEqual(scopeChoices(me('QA')), [
      { label: 'Global', teamId: null },
      { label: 'Payments', teamId: 'payments' },
    ]);
    assert.equal(describeCan({ allowed: true, permission: 'version:create', teamId: 'payments', reason: null, grantingRoles: [] }, 'Payments'), 'Yes: you can version:create in Payments.');
    assert.equal(
      describeCan({ allowed: false, permission: 'gate:override', teamId: null, reason: 'none of your roles grants gate:override globally; roles that do: Admin', grantingRoles: ['admin'] }, 'Global'),
      'No: none of your roles grants gate:override globally; roles that do: Admin.',
      'the reason is the answer: said once',
    );
    assert.equal(
      describeCan({ allowed: true, permission: 'version:create', teamId: 'payments', teamName: 'Payments', reason: null, grantingRoles: [] }, 'payments'),
      'Yes: you can version:create in Payments.',
      'a typed team id is answered with the team name the server sends',
    );
    assert.equal(describeCan({ allowed: false, permission: 'gate:override', teamId: 'x', reason: null, grantingRoles: [] }, 'x'), 'No: you cannot gate:override in x.');
  });
});

describe('vscode-ext: AutoRefresh', () => {
  function fakeTimers() {
    const live = new Map<number, { fn: () => void; ms: number }>();
    let next = 1;
    return {
      live,
      timers: {
        setInterval: (fn: () => void, ms: number) => {
          live.set(next, { fn, ms });
          return next++;
        },
        clearInterval: (h: unknown) => void live.delete(h as number),
      },
    };
  }

  it('runs every N seconds while enabled, at least every 5 s, and 0 turns it off', () => {
    const { live, timers } = fakeTimers();
    let ticks = 0;
    const a = new AutoRefresh(() => ticks++, timers);
    a.configure(60, true);
    assert.deepEqual([...live.values()].map((t) => t.ms), [60_000]);
    a.configure(60, true);
    assert.equal(live.size, 1, 'same setting: the timer is kept');
    a.configure(1, true);
    assert.deepEqual([...live.values()].map((t) => t.ms), [5_000]);
    [...live.values()][0]!.fn();
    assert.equal(ticks, 1);
    a.configure(0, true);
    assert.equal(live.size, 0);
    a.configure(30, false);
    assert.equal(live.size, 0, 'signed out: no timer');
    a.configure(30, true);
    a.dispose();
    assert.equal(live.size, 0);
  });
});
