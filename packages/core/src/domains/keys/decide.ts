import { createHash } from 'node:crypto';
import type * as C from '../../commands.js';
import { NotFoundError, UserInactiveError } from '../../errors.js';
import type { Decide } from '../../kernel/decider.js';
import { SYSTEM } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { userOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { ApiKey } from '../../schemas.js';

export const KEY_PREFIX = 'ghk';

/** sha256 of a key's secret: all the state keeps of it. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedKey {
  key: Omit<ApiKey, 'hash'>;
  /** Shown once; only its hash is stored. */
  secret: string;
}

/**
 * Creates an API key (the owner's permissions frozen now) or a personal token (live permissions).
 * The id and secret are made by the caller (randomness stays out of the decision).
 */
export const createKey: Decide<C.Parsed<typeof C.CreateKeyInput> & { keyId: string; secret: string }, CreatedKey> = (s, i, env) => {
  const { actor, authz } = env;
  const ownerId = i.ownerId ?? actor.userId;
  const owner = userOf(s, ownerId);
  if (!owner.active) throw new UserInactiveError(`${ownerId} is deactivated`, { userId: ownerId });
  if (ownerId !== actor.userId) need(env, 'api_key:manage', null);
  // A key for oneself is not scoped to a team: api_key:create held in any scope (a team-scoped
  // Developer) is enough; the key's snapshot keeps each scope's permissions apart.
  else if (i.kind === 'api_key' && !authz.actorCan(actor, 'api_key:manage', null) && !authz.teamsOf(actor.userId).some((t) => authz.actorCan(actor, 'api_key:create', t))) need(env, 'api_key:create', null);
  else if (actor.userId !== SYSTEM.userId && !own(s.users, actor.userId)?.active) throw new UserInactiveError('deactivated users cannot create tokens', { userId: actor.userId });
  const snapshot =
    i.kind === 'api_key'
      ? { global: authz.permissionsIn(ownerId, null), teams: Object.fromEntries(authz.teamsOf(ownerId).map((t) => [t, authz.permissionsIn(ownerId, t)])) }
      : null;
  const key: ApiKey = { id: i.keyId, ownerId, name: i.name, kind: i.kind, prefix: i.secret.slice(0, KEY_PREFIX.length + i.keyId.length + 6), hash: hashSecret(i.secret), createdAt: env.now, createdBy: actor.userId, revokedAt: null, snapshot };
  const { hash: _hash, ...shown } = key;
  return { events: [{ type: 'api_key.created', data: { key } }], result: { key: shown, secret: i.secret } };
};

export const revokeKey: Decide<C.Parsed<typeof C.KeyRefInput>, void> = (s, { keyId }, env) => {
  const key = own(s.keys, keyId);
  if (!key) throw new NotFoundError('API key', keyId);
  if (key.ownerId !== env.actor.userId) need(env, 'api_key:manage', null);
  return { events: key.revokedAt === null ? [{ type: 'api_key.revoked', data: { keyId } }] : [], result: undefined };
};
