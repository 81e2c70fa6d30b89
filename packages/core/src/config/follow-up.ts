import type { z } from 'zod';
import type { ApprovalPolicy } from '../schemas.js';
import { durationText } from './duration.js';
import type { ConfigFollowUpSchema } from './schema.js';

type FileFollowUp = z.output<typeof ConfigFollowUpSchema>;
type FileFollowUpInput = z.input<typeof ConfigFollowUpSchema>;

/** The file's `followUp` as the core's policy. */
export function policyOf(f: FileFollowUp): ApprovalPolicy {
  const to = f.escalateTo;
  return {
    ...(f.remindAfter !== undefined ? { remindAfterMs: f.remindAfter } : {}),
    ...(f.remindEvery !== undefined ? { remindEveryMs: f.remindEvery } : {}),
    ...(f.workingHours ? { workingHours: f.workingHours } : {}),
    ...(f.escalateAfter !== undefined ? { escalateAfterMs: f.escalateAfter } : {}),
    ...(to ? { escalateTo: 'group' in to ? { type: 'group' as const, id: to.group } : 'role' in to ? { type: 'role' as const, id: to.role } : { type: 'channel' as const, id: to.channel } } : {}),
    ...(f.timeoutAfter !== undefined ? { timeoutAfterMs: f.timeoutAfter } : {}),
    ...(f.timeoutOutcome ? { timeoutOutcome: f.timeoutOutcome } : {}),
    ...(f.notify ? { notify: f.notify } : {}),
    ...(f.delegation !== undefined ? { allowDelegation: f.delegation } : {}),
  };
}

/** The core's policy as the file writes it (durations as text), in a fixed key order. */
export function followUpOf(p: ApprovalPolicy): FileFollowUpInput {
  const t = (ms: number | null | undefined) => (ms == null ? undefined : durationText(ms));
  const out: FileFollowUpInput = {};
  if (t(p.remindAfterMs)) out.remindAfter = t(p.remindAfterMs);
  if (t(p.remindEveryMs)) out.remindEvery = t(p.remindEveryMs);
  if (p.workingHours) out.workingHours = p.workingHours;
  if (t(p.escalateAfterMs)) out.escalateAfter = t(p.escalateAfterMs);
  if (p.escalateTo) out.escalateTo = p.escalateTo.type === 'group' ? { group: p.escalateTo.id } : p.escalateTo.type === 'role' ? { role: p.escalateTo.id } : { channel: p.escalateTo.id };
  if (t(p.timeoutAfterMs)) out.timeoutAfter = t(p.timeoutAfterMs);
  if (p.timeoutOutcome) out.timeoutOutcome = p.timeoutOutcome;
  if (p.notify) out.notify = p.notify;
  if (p.allowDelegation !== undefined) out.delegation = p.allowDelegation;
  return out;
}
