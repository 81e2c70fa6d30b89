import type { Actor, AuthzView } from '../kernel/decider.js';
import { SYSTEM } from '../kernel/decider.js';
import { own } from '../own.js';
import type { AccountState } from '../schemas.js';
import { assignmentsOf } from '../state/derived.js';
import type { AuthzIndex, Decision } from './compiled-index.js';
import type { Permission, PermissionBits } from './permissions.js';
import { PERMISSIONS, bitsOf } from './permissions.js';

const ALL = bitsOf(PERMISSIONS);
const NONE = bitsOf([]);

/**
 * The authorisation view over an account's compiled index: what decisions and queries consult.
 * Acting through an API key narrows a user to the key's frozen permissions; the system may do all.
 */
export class IndexView implements AuthzView {
  constructor(
    private readonly index: AuthzIndex,
    private readonly state: () => AccountState,
    private readonly now: () => number,
  ) {}

  actorCan(actor: Actor, permission: Permission, teamId: string | null = null): boolean {
    if (actor.userId === SYSTEM.userId) return true;
    if (actor.keyId) {
      const key = own(this.state().keys, actor.keyId);
      return !!key && key.ownerId === actor.userId && this.index.canKey(key, permission, teamId);
    }
    return this.index.can(actor.userId, permission, teamId);
  }

  actorBits(actor: Actor, teamId: string | null): PermissionBits {
    if (actor.userId === SYSTEM.userId) return ALL;
    if (actor.keyId) {
      const key = own(this.state().keys, actor.keyId);
      if (!key || key.ownerId !== actor.userId) return NONE;
      return this.index.keyScopeBits(key, teamId);
    }
    return this.index.bits(actor.userId, teamId);
  }

  explain(userId: string, permission: Permission, teamId: string | null = null): Decision {
    return this.index.explain(userId, permission, teamId);
  }

  permissionsIn(userId: string, teamId: string | null): Permission[] {
    return this.index.permissionsIn(userId, teamId);
  }

  /** Teams where the user has a grant in force (global grants reach every team), sorted. */
  teamsOf(userId: string): string[] {
    const teams = new Set(assignmentsOf(this.state(), userId, this.now()).flatMap((r) => (r.teamId ? [r.teamId] : [])));
    return [...teams].sort();
  }
}
