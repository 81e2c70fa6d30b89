/**
 * `@gatehouse/core/testing`: what the tests and the benchmark share and the runtime never uses —
 * a seeded random source and the casbin model Gatehouse is compared with. No dependencies.
 */
export { CASBIN_GLOBAL_DOMAIN, casbinModel } from './casbin-model.js';
export type { CasbinVariant } from './casbin-model.js';
export { Rng } from './rng.js';
