import type { AuditEvent } from '@gatehouse/core';
import type { Names } from '../format.js';
import { environmentName, esc, missingText, reasonText, userName } from '../format.js';
import { TYPE_LABEL } from './approval.js';
import { own } from '../../rest/lookup.js';

/** Replies in the thread of a version's approval message, one per event the notifier relays. */

type EventOf<T extends AuditEvent['type']> = Extract<AuditEvent, { type: T }>;

/** An approval or rejection of one approval type. */
export function versionDecisionReply(n: Names, e: EventOf<'version.decided'>): string {
  const d = e.data;
  return d.decision === 'approve'
    ? `:white_check_mark: ${userName(n, d.approverId)} approved *${TYPE_LABEL[d.approvalType]}*${d.previous === 'reject' ? ' (withdrawing their rejection)' : ''}`
    : `:x: ${userName(n, d.approverId)} rejected *${TYPE_LABEL[d.approvalType]}*: ${reasonText(d.reason ?? '')}`;
}

/** A decision on the release, posted in the thread of each of its versions. */
export function releaseDecisionReply(n: Names, e: EventOf<'release.decided'>): string {
  const d = e.data;
  const name = esc(own(n.state.releases, d.releaseId)?.name ?? d.releaseId);
  return d.decision === 'approve' ? `:white_check_mark: ${userName(n, d.approverId)} approved the release *${name}*` : `:x: ${userName(n, d.approverId)} rejected the release *${name}*: ${reasonText(d.reason ?? '')}`;
}

/** A deployment through a gate that was not ready (the notifier broadcasts it to the channel). */
export function gateOverriddenReply(n: Names, e: EventOf<'gate.overridden'>): string {
  return `:rotating_light: ${userName(n, e.actor)} *overrode the gate* to deploy to *${esc(environmentName(n, e.data.environmentId))}* without: ${missingText(n, e.data.missing, false)}.\nReason: ${reasonText(e.data.reason)}`;
}

/** A deployment through a ready gate. */
export function deployedReply(n: Names, e: EventOf<'deployment.created'>): string {
  return `:rocket: ${userName(n, e.actor)} deployed to *${esc(environmentName(n, e.data.deployment.environmentId))}*.`;
}
