import type * as C from '../../commands.js';
import type { Permission } from '../../authz/permissions.js';
import { ConflictError, ReleaseArchivedError, ReleaseLockedError, ValidationError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { unchanged } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { productOf, releaseOf, versionOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { AccountState, Release } from '../../schemas.js';

/** A release a version may join or leave: the same product, neither archived nor locked. */
export function releaseForChange(s: AccountState, releaseId: string, productId: string): Release {
  const r = releaseOf(s, releaseId);
  if (r.productId !== productId) throw new ValidationError(`release ${releaseId} belongs to another product`, [{ path: 'releaseId', message: 'mismatch' }]);
  if (r.archived) throw new ReleaseArchivedError(`release '${r.name}' is archived: restore it first`, { releaseId });
  if (r.locked) throw new ReleaseLockedError(`release '${r.name}' is locked: unlock it first`, { releaseId });
  return r;
}

const teamOfRelease = (s: AccountState, r: Release) => productOf(s, r.productId).teamId;

export const createRelease: Decide<C.Parsed<typeof C.CreateReleaseInput>, Release> = (s, i, env) => {
  const p = productOf(s, i.productId);
  need(env, 'release:create', p.teamId);
  const id = i.releaseId ?? env.newId('rel');
  if (own(s.releases, id)) throw new ConflictError(`release '${id}' already exists`, { releaseId: id });
  const release: Release = { id, productId: p.id, name: i.name, createdBy: env.actor.userId, createdAt: env.now, locked: false, archived: false, decisions: [] };
  return { events: [{ type: 'release.created', data: { release } }], result: release };
};

export const addToRelease: Decide<C.Parsed<typeof C.ReleaseVersionInput>, void> = (s, i, env) => {
  const v = versionOf(s, i.versionId);
  const r = releaseForChange(s, i.releaseId, v.productId);
  need(env, 'release:create', teamOfRelease(s, r));
  if (v.releaseId === r.id) return unchanged(undefined);
  if (v.releaseId) releaseForChange(s, v.releaseId, v.productId);
  return { events: [{ type: 'release.version_added', data: { releaseId: r.id, versionId: v.id, previousReleaseId: v.releaseId } }], result: undefined };
};

export type ReleaseFlag = 'release.locked' | 'release.unlocked' | 'release.archived' | 'release.restored';
const FLAG_PERMISSION: Record<ReleaseFlag, Permission> = {
  'release.locked': 'release:lock',
  'release.unlocked': 'release:lock',
  'release.archived': 'release:archive',
  'release.restored': 'release:archive',
};

/** Lock, unlock, archive or restore; nothing when the release is that way already. */
export const setReleaseFlag: Decide<C.Parsed<typeof C.ReleaseRefInput> & { flag: ReleaseFlag }, void> = (s, { releaseId, flag }, env) => {
  const r = releaseOf(s, releaseId);
  need(env, FLAG_PERMISSION[flag], teamOfRelease(s, r));
  const already = { 'release.locked': r.locked, 'release.unlocked': !r.locked, 'release.archived': r.archived, 'release.restored': !r.archived }[flag];
  return { events: already ? [] : [{ type: flag, data: { releaseId } }], result: undefined };
};

export const deleteRelease: Decide<C.Parsed<typeof C.ReleaseRefInput>, void> = (s, { releaseId }, env) => {
  const r = releaseOf(s, releaseId);
  need(env, 'release:delete', teamOfRelease(s, r));
  if (r.locked) throw new ReleaseLockedError(`release '${r.name}' is locked: unlock it first`, { releaseId });
  return { events: [{ type: 'release.deleted', data: { release: r } }], result: undefined };
};

export const decideRelease: Decide<C.Parsed<typeof C.DecideReleaseInput>, { changed: boolean; release: Release }> = (s, i, env) => {
  const { actor } = env;
  const r = releaseOf(s, i.releaseId);
  need(env, 'release:approve', teamOfRelease(s, r));
  if (r.archived) throw new ReleaseArchivedError(`release '${r.name}' is archived: restore it first`, { releaseId: r.id });
  const previous = r.decisions.find((d) => d.approverId === actor.userId) ?? null;
  if (previous && previous.decision === i.decision && (i.decision === 'approve' || previous.reason === i.reason)) return unchanged({ changed: false, release: r });
  const after: Release = { ...r, decisions: [...r.decisions.filter((d) => d.approverId !== actor.userId), { approverId: actor.userId, decision: i.decision, reason: i.reason, at: env.now }] };
  return {
    events: [{ type: 'release.decided', data: { releaseId: r.id, decision: i.decision, reason: i.reason, approverId: actor.userId, previous: previous?.decision ?? null } }],
    result: { changed: true, release: after },
  };
};
