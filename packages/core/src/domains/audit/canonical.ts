/** A string holding a lone surrogate: with the `u` flag a well-formed pair is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Deeper than any event: a cycle ends here instead of overflowing the stack. */
const MAX_DEPTH = 256;

/** Printable ASCII but `"` and `\\`: what JSON writes as it is (ids, keys, most values). */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function str(s: string): string {
  if (VERBATIM.test(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(s);
}

function value(v: unknown, depth: number): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (Number.isNaN(v)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(v)) throw new Error('Infinity is not allowed');
      // ECMAScript's number to string, which RFC 8785 adopts.
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return object(v, depth, null);
    default:
      // bigint throws, as JSON.stringify does; functions and symbols have no JSON (undefined).
      return JSON.stringify(v);
  }
}

function object(o: object, depth: number, omit: ReadonlySet<string> | null): string | undefined {
  if (depth > MAX_DEPTH) throw new Error('Circular reference detected or nesting too deep');
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return value((toJSON as () => unknown).call(o), depth + 1);
  if (Array.isArray(o)) {
    let out = '[';
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      // A function in an array writes nothing, as the package's join does.
      out += `${i ? ',' : ''}${x === undefined || typeof x === 'symbol' ? 'null' : (value(x, depth + 1) ?? '')}`;
    }
    return `${out}]`;
  }
  const rec = o as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(rec).sort()) {
    const x = rec[k];
    if (x === undefined || typeof x === 'symbol' || omit?.has(k)) continue;
    out += `${first ? '' : ','}${str(k)}:${String(value(x, depth + 1))}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * RFC 8785 canonical JSON (keys sorted by UTF-16 code units, ECMAScript number form, no spaces),
 * byte for byte what the `canonicalize` package writes — the audit chain's hashes depend on it —
 * without its per-value Set and array joins: sealing a commit of 100 reminders spent most of its
 * time there. `omit` leaves out top-level keys (the hash and the link it is computed beside).
 */
export function canonicalJson(v: unknown, omit: ReadonlySet<string> | null = null): string | undefined {
  return v !== null && typeof v === 'object' ? object(v, 0, omit) : value(v, 0);
}
