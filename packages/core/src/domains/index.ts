/** The domains, each a module of pure decisions (and the queries and evolve tables beside them). */
export * as accessRequests from './access-requests/decide.js';
export * as approvals from './approvals/index.js';
export * as audit from './audit/index.js';
export * as catalog from './catalog/decide.js';
export * as github from './github/index.js';
export * as grants from './grants/index.js';
export * as groups from './groups/decide.js';
export * as keys from './keys/decide.js';
export * as releases from './releases/decide.js';
export * as roles from './roles/index.js';
export * as users from './users/decide.js';
export type { Evaluation, PendingApproval, RequirementStatus, VersionDecision } from './approvals/index.js';
export type { AccessReview, ReviewOptions } from './audit/review.js';
export type { GithubReviewResult, GithubVerdict } from './github/index.js';
export type { CreatedKey } from './keys/decide.js';
export type { ReleaseFlag } from './releases/decide.js';
export type { RoleChangeResult } from './users/decide.js';
export type { Holder } from './grants/queries.js';
