import type { Account, Actor } from '@gatehouse/core';
import { STATIC_ROLE_IDS } from '@gatehouse/core';
import type { MeResponse, ScopeAccess } from '@gatehouse/core/contract';
import { own } from './lookup.js';

/** Who-am-I, shared by REST and Slack: roles and effective permissions globally and per team. */
export function meOf(account: Account, userId: string, actor: Actor): Omit<MeResponse, 'key'> {
  const s = account.view;
  const user = own(s.users, userId);
  const roles = account.roles(userId);
  const person = (id: string) => ({ id, name: own(s.users, id)?.name || id });
  const roleName = (id: string) => account.role(id)?.name ?? id;
  const scope = (teamId: string | null): ScopeAccess => ({
    teamId,
    teamName: teamId === null ? 'Global' : (own(s.teams, teamId)?.name ?? teamId),
    roles: roles
      .filter((r) => r.teamId === teamId)
      .map((r) => {
        const group = r.via === null ? undefined : own(s.groups, r.via);
        return { ...r, roleName: roleName(r.roleId), ...(group ? { viaName: group.name } : {}) };
      }),
    permissions: account.permissions(userId, teamId).filter((p) => account.actorCan(actor, p, teamId)),
  });
  const held = new Set(roles.map((r) => r.roleId));
  const primary = STATIC_ROLE_IDS.find((id) => held.has(id)) ?? roles[0]?.roleId ?? null;
  return {
    account: { id: account.id, name: s.name },
    user: { id: userId, name: user?.name ?? userId, email: user?.email ?? null },
    primaryRole: primary ? roleName(primary) : null,
    scopes: [scope(null), ...account.teamsOf(userId).map((t) => scope(t))],
    delegations: account.delegationsOf(userId).map((d) => ({ id: d.id, delegator: person(d.delegatorId), delegate: person(d.delegateId), types: d.types, from: d.from, until: d.until })),
  };
}
