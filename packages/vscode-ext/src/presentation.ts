import type { CanResponse, MeResponse } from '@gatehouse/core/contract';
import { CanQuerySchema, assertNever } from '@gatehouse/core/contract';
import type { Permission } from './api-client.js';
import type { GatehouseApiError } from './errors.js';
import { formatClock, plural } from './format.js';
import type { Snapshot } from './model.js';
import { isStale } from './model.js';

/** Every permission of the registry, for the "Can I …?" picker. */
export const ALL_PERMISSIONS: readonly Permission[] = CanQuerySchema.shape.permission.options;

/** What the user should read when a call failed; the server's own message is kept where it has one. */
export function describeFailure(e: GatehouseApiError): string {
  switch (e.kind) {
    case 'unreachable':
      return `Gatehouse: ${e.message}.`;
    case 'unauthorized':
      return `Gatehouse refused the key: ${e.message}. Sign in again with a valid API key or personal token.`;
    case 'refused':
      return `Gatehouse refused: ${e.message}`;
    case 'rate_limited':
      return `Gatehouse: too many requests with this key; try again in a minute.`;
    case 'server_error':
      return `Gatehouse server error: ${e.message}`;
    case 'invalid_response':
      return `Gatehouse: ${e.message}.`;
    case 'not_configured':
      return `Gatehouse: ${e.message}.`;
    default:
      return assertNever(e.kind);
  }
}

/** Buttons offered with a failure message. */
export function failureActions(e: GatehouseApiError): string[] {
  switch (e.kind) {
    case 'unauthorized':
    case 'not_configured':
      return ['Sign in…'];
    case 'unreachable':
    case 'server_error':
    case 'rate_limited':
      return ['Retry', 'Open settings'];
    case 'invalid_response':
      return ['Open settings'];
    case 'refused':
      return [];
    default:
      return assertNever(e.kind);
  }
}

export interface StatusBarSpec {
  readonly text: string;
  readonly tooltip: string;
  readonly warning: boolean;
  readonly command: string;
}

/** The status-bar item: primary role and pending count; click focuses the views. */
export function statusBar(s: Snapshot): StatusBarSpec {
  switch (s.status) {
    case 'signedOut':
      return { text: '$(shield) Gatehouse', tooltip: 'Gatehouse: sign in to see your access and pending approvals', warning: false, command: 'gatehouse.signIn' };
    case 'loading':
      return { text: '$(sync~spin) Gatehouse', tooltip: 'Gatehouse: loading…', warning: false, command: 'gatehouse.access.focus' };
    case 'failed':
      return { text: '$(warning) Gatehouse', tooltip: describeFailure(s.error!), warning: true, command: 'gatehouse.access.focus' };
    case 'ready': {
      const role = s.me?.primaryRole ?? 'no role';
      const n = s.pending?.length;
      const stale = isStale(s);
      const count = n === undefined ? '' : ` $(${n ? 'bell-dot' : 'bell'}) ${n}`;
      const lines = [
        `Gatehouse: ${s.me?.user.name ?? ''} in ${s.me?.account.name ?? ''}`,
        `Primary role: ${role}`,
        n === undefined ? 'Pending approvals: loading…' : `${plural(n, 'approval')} waiting for you`,
      ];
      if (stale) lines.push(`Stale: ${describeFailure(s.error!)}`);
      return {
        text: `${stale ? '$(warning)' : '$(shield)'} ${role}${count}`,
        tooltip: lines.join('\n'),
        warning: stale,
        command: n ? 'gatehouse.approvals.focus' : 'gatehouse.access.focus',
      };
    }
    default:
      return assertNever(s.status);
  }
}

/** The note above a view's tree: loading, the failure, or that the data shown is stale. */
export function viewMessage(s: Snapshot): string | undefined {
  switch (s.status) {
    case 'signedOut':
      return undefined;
    case 'loading':
      return 'Loading…';
    case 'failed':
      return describeFailure(s.error!);
    case 'ready':
      return isStale(s) ? `⚠ Stale (last updated ${formatClock(s.updatedAt!)}): ${describeFailure(s.error!)}` : undefined;
    default:
      return assertNever(s.status);
  }
}

/** Scopes offered by "Can I …?": Global and each team the user has a role in. */
export function scopeChoices(me: MeResponse): { label: string; teamId: string | null }[] {
  return me.scopes.map((s) => ({ label: s.teamName, teamId: s.teamId }));
}

/**
 * The answer to "Can I …?". On deny the server's reason says what is missing and where, so it is
 * the answer (said once); `scopeName` is what the user picked, the server's team name preferred.
 */
export function describeCan(r: CanResponse, scopeName: string): string {
  const where = r.teamId === null ? 'globally' : `in ${r.teamName ?? scopeName}`;
  if (r.allowed) return `Yes: you can ${r.permission} ${where}.`;
  return r.reason ? `No: ${r.reason}.` : `No: you cannot ${r.permission} ${where}.`;
}
