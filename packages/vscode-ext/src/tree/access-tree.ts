import type { MeResponse, RoleGrantDto, ScopeAccess } from '@gatehouse/core/contract';
import type { Permission } from '../api-client.js';
import { APPROVAL_TYPE_LABELS, formatDay, formatExpiry, formatTime, nameAndId, plural } from '../format.js';
import type { ItemSpec } from './node.js';
import { InfoNode, TreeNode } from './node.js';

export type DelegationDto = NonNullable<MeResponse['delegations']>[number];

/** The roots of "My access": the account the key belongs to, then the delegations in force (if any). */
export function accessRoots(me: MeResponse, now: number): TreeNode[] {
  const roots: TreeNode[] = [new AccountNode(me, now)];
  if (me.delegations?.length) roots.push(new DelegationsNode(me, me.delegations, now));
  return roots;
}

/**
 * One delegation as the signed-in user reads it: given, "You → Quinn" / "Security until 12 Dec";
 * received, "Sec → you" / "Security until 12 Dec". Null types are every approval the delegator gives.
 */
export function describeDelegation(d: DelegationDto, userId: string, now: number): { given: boolean; label: string; description: string; tooltip: string } {
  const given = d.delegator.id === userId;
  const types = d.types?.map((t) => APPROVAL_TYPE_LABELS[t]).join(', ');
  const what = types ?? (given ? 'all your approvals' : 'all their approvals');
  const when = d.until <= now ? 'ended' : `${d.from > now ? `from ${formatDay(d.from, now)} ` : ''}until ${formatDay(d.until, now)}`;
  const period = `From ${formatTime(d.from)} until ${formatTime(d.until)}`;
  return given
    ? {
        given,
        label: `You → ${d.delegate.name}`,
        description: `${what} ${when}`,
        tooltip: `${d.delegate.name} may give ${types ? `your ${types} approvals` : 'every approval you give'} on your behalf\n${period}`,
      }
    : {
        given,
        label: `${d.delegator.name} → you`,
        description: `${what} ${when}`,
        tooltip: `You may give ${types ? `the ${types} approvals of ${d.delegator.name}` : `every approval ${d.delegator.name} gives`} on their behalf\n${period}`,
      };
}

/** "via group oncall" or "direct", plus the expiry of a time-bound grant. */
export function describeGrant(r: RoleGrantDto, now: number): string {
  const how = r.via === null ? 'direct' : `via group ${r.viaName ?? r.via}`;
  return r.expiresAt === null ? how : `${how} · ${formatExpiry(r.expiresAt, now)}`;
}

/** Permissions grouped by resource (`version:approve:qa` → `version`), in the server's order. */
export function groupByResource(permissions: readonly Permission[]): { resource: string; permissions: Permission[] }[] {
  const groups = new Map<string, Permission[]>();
  for (const p of permissions) {
    const resource = p.slice(0, p.indexOf(':'));
    const list = groups.get(resource) ?? [];
    list.push(p);
    groups.set(resource, list);
  }
  return [...groups].map(([resource, list]) => ({ resource, permissions: list }));
}

export class AccountNode extends TreeNode {
  constructor(
    readonly me: MeResponse,
    private readonly now: number,
  ) {
    super();
  }

  item(): ItemSpec {
    const { account, user, key } = this.me;
    const kind = key.kind === 'api_key' ? 'API key' : 'personal token';
    return {
      id: `account:${account.id}`,
      label: account.name,
      description: user.name,
      tooltip: `${user.name} (${user.id}${user.email ? `, ${user.email}` : ''}) in ${account.name}\nSigned in with the ${kind} "${key.name}"`,
      icon: 'home',
      collapsible: 'expanded',
      contextValue: 'account',
    };
  }

  override children(): TreeNode[] {
    return this.me.scopes.map((s) => new ScopeNode(this.me.account.id, s, this.now));
  }
}

export class ScopeNode extends TreeNode {
  constructor(
    private readonly accountId: string,
    readonly scope: ScopeAccess,
    private readonly now: number,
  ) {
    super();
  }

  item(): ItemSpec {
    const s = this.scope;
    const roles = s.roles.length ? s.roles.map((r) => r.roleName).join(', ') : 'no role';
    return {
      id: `scope:${this.accountId}:${s.teamId ?? '*'}`,
      label: s.teamName,
      description: `${roles} · ${plural(s.permissions.length, 'permission')}`,
      tooltip: s.teamId === null ? 'Roles held globally: they apply in every team' : `Team ${nameAndId(s.teamName, s.teamId)}`,
      icon: s.teamId === null ? 'globe' : 'organization',
      collapsible: 'expanded',
      contextValue: 'scope',
    };
  }

  override children(): TreeNode[] {
    const id = `${this.accountId}:${this.scope.teamId ?? '*'}`;
    const out: TreeNode[] = this.scope.roles.map((r, i) => new RoleNode(`${id}:${i}`, r, this.now));
    if (this.scope.roles.length === 0) out.push(new InfoNode(`norole:${id}`, this.scope.teamId === null ? 'No global role' : 'No role in this team'));
    for (const g of groupByResource(this.scope.permissions)) out.push(new ResourceNode(id, g.resource, g.permissions));
    return out;
  }
}

export class RoleNode extends TreeNode {
  constructor(
    private readonly id: string,
    readonly grant: RoleGrantDto,
    private readonly now: number,
  ) {
    super();
  }

  item(): ItemSpec {
    const r = this.grant;
    const lines = [`Role ${nameAndId(r.roleName, r.roleId)}`, r.via === null ? 'Granted to you directly' : `Granted to the group ${r.viaName ?? r.via}, which you belong to`];
    if (r.expiresAt !== null) lines.push(`Expires ${formatTime(r.expiresAt)}`);
    return {
      id: `role:${this.id}`,
      label: r.roleName,
      description: describeGrant(r, this.now),
      tooltip: lines.join('\n'),
      icon: r.expiresAt !== null ? 'watch' : r.via !== null ? 'group-by-ref-type' : 'person',
      collapsible: 'none',
      contextValue: 'role',
    };
  }
}

export class ResourceNode extends TreeNode {
  constructor(
    private readonly scopeId: string,
    readonly resource: string,
    readonly permissions: readonly Permission[],
  ) {
    super();
  }

  item(): ItemSpec {
    return {
      id: `resource:${this.scopeId}:${this.resource}`,
      label: this.resource,
      description: this.permissions.map((p) => p.slice(this.resource.length + 1)).join(', '),
      tooltip: this.permissions.join('\n'),
      icon: 'key',
      collapsible: 'collapsed',
      contextValue: 'resource',
    };
  }

  override children(): TreeNode[] {
    return this.permissions.map((p) => new PermissionNode(`${this.scopeId}:${p}`, p));
  }
}

export class PermissionNode extends TreeNode {
  constructor(
    private readonly id: string,
    readonly permission: Permission,
  ) {
    super();
  }

  item(): ItemSpec {
    return { id: `permission:${this.id}`, label: this.permission, icon: 'check', collapsible: 'none', contextValue: 'permission' };
  }
}

/** "Delegations": who stands in for the user, and for whom the user stands in. */
export class DelegationsNode extends TreeNode {
  constructor(
    private readonly me: MeResponse,
    readonly delegations: readonly DelegationDto[],
    private readonly now: number,
  ) {
    super();
  }

  item(): ItemSpec {
    const given = this.delegations.filter((d) => d.delegator.id === this.me.user.id).length;
    const received = this.delegations.length - given;
    return {
      id: `delegations:${this.me.account.id}`,
      label: 'Delegations',
      description: [given ? `${given} given` : '', received ? `${received} received` : ''].filter(Boolean).join(' · '),
      tooltip: 'Delegations in force: approvals someone gives on behalf of someone else while they are away',
      icon: 'arrow-swap',
      collapsible: 'expanded',
      contextValue: 'delegations',
    };
  }

  override children(): TreeNode[] {
    return this.delegations.map((d) => new DelegationNode(d, this.me.user.id, this.now));
  }
}

export class DelegationNode extends TreeNode {
  constructor(
    readonly delegation: DelegationDto,
    private readonly userId: string,
    private readonly now: number,
  ) {
    super();
  }

  item(): ItemSpec {
    const d = describeDelegation(this.delegation, this.userId, this.now);
    return {
      id: `delegation:${this.delegation.id}`,
      label: d.label,
      description: d.description,
      tooltip: d.tooltip,
      icon: d.given ? 'arrow-small-right' : 'arrow-small-left',
      collapsible: 'none',
      contextValue: d.given ? 'delegation.given' : 'delegation.received',
    };
  }
}
