import { createHash } from 'node:crypto';
import type { AuditEvent, EventBody } from '../../events/schema.js';
import { GENESIS_HASH } from '../../state/empty.js';
import { canonicalJson } from './canonical.js';

/** The fields an event's hash covers: everything but the hash itself. */
type Hashed = Omit<AuditEvent, 'hash'>;

/** Not part of the canonical text: the link is hashed in front of it, the hash is its result. */
const LINK_AND_HASH: ReadonlySet<string> = new Set(['prev', 'hash']);

/**
 * sha256 over the previous hash and the RFC 8785 canonical JSON of the event, so a change to any
 * field, a removed event or a reordering breaks the chain from that point on.
 */
export function hashEvent(e: Hashed | AuditEvent): string {
  return createHash('sha256')
    .update(e.prev)
    .update('\n')
    .update(canonicalJson(e, LINK_AND_HASH) ?? '')
    .digest('hex');
}

/** Every key any event body has; sealing copies exactly `type` and `data`, so a new one must fail to compile here. */
type BodyKey<T> = T extends unknown ? keyof T : never;
const BODY_IS_TYPE_AND_DATA: [BodyKey<EventBody>] extends ['type' | 'data'] ? true : never = true;
void BODY_IS_TYPE_AND_DATA;

export function sealEvent(
  body: EventBody,
  meta: { id: string; seq: number; actor: string; keyId: string | null; at: number; prev: string },
): AuditEvent {
  // Built field by field (a body is its type and data, checked above): object spreads here cost
  // microseconds an event in V8's generic clone path, most of what sealing a commit took.
  const e = { type: body.type, data: body.data, id: meta.id, seq: meta.seq, actor: meta.actor, keyId: meta.keyId, at: meta.at, prev: meta.prev, hash: '' } as AuditEvent;
  e.hash = hashEvent(e);
  return e;
}

export type VerifyResult =
  | { ok: true; events: number; lastHash: string }
  | { ok: false; events: number; brokenAt: string; reason: 'hash_mismatch' | 'chain_broken' };

/** Walks the chain from the genesis hash; reports the first event whose hash or link is wrong. */
export function verifyChain(events: Iterable<AuditEvent>): VerifyResult {
  let prev = GENESIS_HASH;
  let n = 0;
  for (const e of events) {
    if (e.prev !== prev) return { ok: false, events: n, brokenAt: e.id, reason: 'chain_broken' };
    if (hashEvent(e) !== e.hash) return { ok: false, events: n, brokenAt: e.id, reason: 'hash_mismatch' };
    prev = e.hash;
    n++;
  }
  return { ok: true, events: n, lastHash: prev };
}

/** JSON lines, one event per line, in log order. */
export function toJsonLines(events: Iterable<AuditEvent>): string {
  let out = '';
  for (const e of events) out += `${JSON.stringify(e)}\n`;
  return out;
}
