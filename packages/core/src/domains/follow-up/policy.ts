import { own } from '../../own.js';
import type { AccountState, ApprovalPolicy, Version, WorkingHours } from '../../schemas.js';

/** A follow-up action that falls due for one version and environment. */
export type FollowUpKind = 'reminder' | 'escalation' | 'timeout';

const HOUR = 3_600_000;

/**
 * The policy in force for a version in an environment: the account's default, overridden field
 * by field by the rules that apply — the shortest reminder, escalation and timeout delays, the
 * first escalation target and notify mode a rule names, and delegation allowed only if no rule
 * forbids it.
 */
export function policyFor(s: AccountState, v: Version, environmentId: string): ApprovalPolicy {
  const base: ApprovalPolicy = s.settings.approvalPolicy ?? {};
  const rules = Object.values(s.rules).filter((r) => r.environmentId === environmentId && (r.productId === null || r.productId === v.productId) && r.policy);
  if (rules.length === 0) return base;
  const out: ApprovalPolicy = { ...base };
  const min = (k: 'remindAfterMs' | 'remindEveryMs' | 'escalateAfterMs' | 'timeoutAfterMs') => {
    const values = rules.map((r) => r.policy?.[k]).filter((x): x is number | null => x !== undefined);
    if (values.length === 0) return;
    const numbers = values.filter((x): x is number => x !== null);
    out[k] = numbers.length ? Math.min(...numbers) : null;
  };
  min('remindAfterMs');
  min('remindEveryMs');
  min('escalateAfterMs');
  min('timeoutAfterMs');
  const first = <K extends 'workingHours' | 'escalateTo' | 'notify'>(k: K) => rules.map((r) => r.policy?.[k]).find((x) => x !== undefined);
  const wh = first('workingHours');
  if (wh !== undefined) out.workingHours = wh;
  const to = first('escalateTo');
  if (to !== undefined) out.escalateTo = to;
  const notify = first('notify');
  if (notify !== undefined) out.notify = notify;
  const withTimeout = rules.filter((r) => r.policy?.timeoutAfterMs != null).sort((a, b) => (a.policy?.timeoutAfterMs ?? 0) - (b.policy?.timeoutAfterMs ?? 0))[0];
  if (withTimeout?.policy?.timeoutOutcome) out.timeoutOutcome = withTimeout.policy.timeoutOutcome;
  if (rules.some((r) => r.policy?.allowDelegation === false)) out.allowDelegation = false;
  return out;
}

function localParts(t: number, timeZone: string): { day: number; hour: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(t));
  const wd = parts.find((p) => p.type === 'weekday')?.value ?? 'Mon';
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? '0');
  return { day: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(wd) + 1, hour };
}

/** The first moment at or after `t` inside the working hours (hour granularity; at most a week ahead). */
export function nextWorkingTime(t: number, wh: WorkingHours | null | undefined): number {
  if (!wh) return t;
  let at = t;
  for (let i = 0; i < 24 * 8; i++) {
    const { day, hour } = localParts(at, wh.timeZone);
    if (wh.days.includes(day) && hour >= wh.from && hour < wh.to) return at;
    at = Math.floor(at / HOUR) * HOUR + HOUR;
  }
  return t;
}

/** When each follow-up of (version, environment) falls due, from what the version records (`p`: its policy, when known). */
export function followUpDue(s: AccountState, v: Version, environmentId: string, p: ApprovalPolicy = policyFor(s, v, environmentId)): { kind: FollowUpKind; at: number }[] {
  const start = own(v.requestedAt, environmentId) ?? v.createdAt;
  const done = own(v.followUp, environmentId);
  if (done?.timedOut) return [];
  const out: { kind: FollowUpKind; at: number }[] = [];
  if (p.remindAfterMs != null) {
    const next = done?.lastReminderAt != null ? (p.remindEveryMs != null ? done.lastReminderAt + p.remindEveryMs : null) : start + p.remindAfterMs;
    if (next !== null) out.push({ kind: 'reminder', at: nextWorkingTime(next, p.workingHours) });
  }
  if (p.escalateAfterMs != null && p.escalateTo && !done?.escalatedAt) out.push({ kind: 'escalation', at: start + p.escalateAfterMs });
  if (p.timeoutAfterMs != null) out.push({ kind: 'timeout', at: start + p.timeoutAfterMs });
  return out;
}

/** Whether (version, environment) still waits for someone: requested, not archived, not timed out. */
export function isWaiting(s: AccountState, v: Version, environmentId: string): boolean {
  if (!v.requestedFor.includes(environmentId) || own(v.followUp, environmentId)?.timedOut) return false;
  return !(v.releaseId && own(s.releases, v.releaseId)?.archived);
}

/** What a person waiting on (or giving) an approval sees of its follow-up. */
export interface FollowUpInfo {
  /** When approval was requested for the environment. */
  requestedAt: number;
  /** When it times out (the rule's timeout), or null. */
  dueAt: number | null;
  /** Reminders have started: it waited longer than the rule's first reminder delay. */
  overdue: boolean;
  reminders: number;
  escalated: boolean;
}

export function followUpInfo(s: AccountState, v: Version, environmentId: string, now: number): FollowUpInfo {
  const p = policyFor(s, v, environmentId);
  const requestedAt = own(v.requestedAt, environmentId) ?? v.createdAt;
  const done = own(v.followUp, environmentId);
  return {
    requestedAt,
    dueAt: p.timeoutAfterMs != null ? requestedAt + p.timeoutAfterMs : null,
    overdue: (done?.reminders ?? 0) > 0 || (p.remindAfterMs != null && now >= requestedAt + p.remindAfterMs),
    reminders: done?.reminders ?? 0,
    escalated: !!done?.escalatedAt,
  };
}
