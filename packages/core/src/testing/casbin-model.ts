/**
 * casbin's RBAC with domains, as the benchmark measures it and the oracle test trusts it: a team is
 * a domain and global grants live in the domain `*`. Roles are domain-free: one `p` line per role
 * and a `g2` link from the role to each permission it allows (casbin scans `p` lines linearly, so
 * one per role rather than per role × permission keeps a check short).
 *
 * - `domains`: plain RBAC with domains has no global role; a global grant needs a `g` line in every
 *   team besides the one in `*` (what a team adopting casbin's RBAC-with-domains does).
 * - `global`: a global grant is one `g` line in `*`, which the matcher also tries.
 *
 * Text only, so that core does not depend on casbin; callers feed it to `newModelFromString`.
 */
export type CasbinVariant = 'domains' | 'global';

/** The domain of global grants. */
export const CASBIN_GLOBAL_DOMAIN = '*';

/** The model text of a variant (request `sub, dom, perm`; policy `p = sub`). */
export function casbinModel(variant: CasbinVariant): string {
  return `
[request_definition]
r = sub, dom, perm

[policy_definition]
p = sub

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g2(p.sub, r.perm) && ${variant === 'domains' ? 'g(r.sub, p.sub, r.dom)' : `(g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "${CASBIN_GLOBAL_DOMAIN}"))`}
`;
}
