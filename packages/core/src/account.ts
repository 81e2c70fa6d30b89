import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as C from './commands.js';
import { exportConfig } from './config/export.js';
import type { ConfigPlan } from './config/plan.js';
import { applyConfig, planConfig } from './config/plan.js';
import type { ConfigDocInput } from './config/schema.js';
import { ConfigDocSchema } from './config/schema.js';
import { accessRequests, approvals, audit, catalog, delegations, followUps, github, grants, groups, keys, releases, roles, users } from './domains/index.js';
import type { AccessReview, CreatedKey, Evaluation, GithubReviewResult, GithubVerdict, PendingApproval, ReleaseFlag, ReviewOptions, RoleChangeResult, VersionDecision } from './domains/index.js';
import type { AuditEvent } from './events/schema.js';
import type { AccountContext } from './kernel/commit-loop.js';
import type { Actor } from './kernel/decider.js';
import { SYSTEM } from './kernel/decider.js';
import { own } from './own.js';
import type { AccessRequest, ApiKey, CustomRole, Delegation, DeploymentRule, Environment, GithubCallback, GithubReview, Grant, Product, Release, Team, User, Version } from './schemas.js';
import { versionByName } from './state/derived.js';

import type { CommitNotice } from './account-base.js';
import { AccountBase } from './account-base.js';

export type { CommitNotice } from './account-base.js';
export type CommitListener = (notice: CommitNotice, account: Account) => void;

/**
 * One account, the core's facade: every command parses its input and commits the rule of its
 * domain (`domains/<name>/decide.ts`, pure); queries read the state and the compiled index. The
 * commit loop (`kernel/commit-loop.ts`) serialises, retries, seals, appends and applies.
 */
export class Account extends AccountBase {
  /** Loads from the newest snapshot and replays the log after it. */
  static async load(id: string, ctx: AccountContext): Promise<Account> {
    const a = new Account(id, ctx);
    await a.init();
    return a;
  }

  // ---------------------------------------------------------------- account & users

  /** Creates the account with its default team and first Admin(s) (bootstrap; system actor). */
  create(input: users.CreateAccountInput): Promise<void> {
    return this.loop.commit(SYSTEM, users.createAccount, input);
  }
  /** Makes sure a user exists: a newcomer lands in the default team with the default role. */
  async ensureUser(input: C.Input<typeof C.EnsureUserInput>): Promise<User> {
    const i = C.parse(C.EnsureUserInput, input);
    const known = own(this.view.users, i.userId);
    if (known && (known.name === i.name || !i.name) && (known.email === i.email || i.email === null)) return known;
    return this.loop.commit(SYSTEM, users.ensureUser, i);
  }
  deactivateUser(actor: Actor, input: C.Input<typeof C.UserRefInput>): Promise<RoleChangeResult> {
    return this.run(actor, C.UserRefInput, input, users.deactivateUser);
  }
  reactivateUser(actor: Actor, input: C.Input<typeof C.UserRefInput>): Promise<void> {
    return this.run(actor, C.UserRefInput, input, users.reactivateUser);
  }
  /** An administrator adds a user or service account before they use Slack (user_role:manage). */
  addUser(actor: Actor, input: C.Input<typeof C.AddUserInput>): Promise<User> {
    return this.run(actor, C.AddUserInput, input, users.addUser);
  }
  updateSettings(actor: Actor, input: C.Input<typeof C.UpdateSettingsInput>): Promise<void> {
    return this.run(actor, C.UpdateSettingsInput, input, catalog.updateSettings);
  }

  // ---------------------------------------------------------------- teams, groups, roles, grants

  createTeam(actor: Actor, input: C.Input<typeof C.CreateTeamInput>): Promise<{ teamId: string }> {
    return this.run(actor, C.CreateTeamInput, input, catalog.createTeam);
  }
  renameTeam(actor: Actor, input: C.Input<typeof C.UpdateTeamInput>): Promise<Team> {
    return this.run(actor, C.UpdateTeamInput, input, catalog.renameTeam);
  }
  createGroup(actor: Actor, input: C.Input<typeof C.CreateGroupInput>): Promise<{ groupId: string }> {
    return this.run(actor, C.CreateGroupInput, input, groups.createGroup);
  }
  /** Adding someone to a group grants them its roles: rules 1–3 apply for each of them. */
  addGroupMember(actor: Actor, input: C.Input<typeof C.GroupMemberInput>): Promise<RoleChangeResult> {
    return this.run(actor, C.GroupMemberInput, input, groups.addGroupMember);
  }
  removeGroupMember(actor: Actor, input: C.Input<typeof C.GroupMemberInput>): Promise<RoleChangeResult> {
    return this.run(actor, C.GroupMemberInput, input, groups.removeGroupMember);
  }
  deleteGroup(actor: Actor, input: C.Input<typeof C.GroupRefInput>): Promise<void> {
    return this.run(actor, C.GroupRefInput, input, groups.deleteGroup);
  }
  createRole(actor: Actor, input: C.Input<typeof C.CreateRoleInput>): Promise<CustomRole> {
    return this.run(actor, C.CreateRoleInput, input, roles.createRole);
  }
  /** Edit or rename a custom role. Static roles are immutable (rule 5). */
  updateRole(actor: Actor, input: C.Input<typeof C.UpdateRoleInput>): Promise<CustomRole> {
    return this.run(actor, C.UpdateRoleInput, input, roles.updateRole);
  }
  deleteRole(actor: Actor, input: C.Input<typeof C.RoleRefInput>): Promise<void> {
    return this.run(actor, C.RoleRefInput, input, roles.deleteRole);
  }
  /** Grants a role to a user or group, globally or in a team, optionally time-bound. */
  assignRole(actor: Actor, input: C.Input<typeof C.AssignRoleInput>): Promise<RoleChangeResult> {
    return this.run(actor, C.AssignRoleInput, input, grants.assignRole);
  }
  revokeRole(actor: Actor, input: C.Input<typeof C.RevokeRoleInput>): Promise<RoleChangeResult> {
    return this.run(actor, C.RevokeRoleInput, input, grants.revokeRole);
  }
  /** Removes grants whose expiry has passed and logs each; they stopped counting at expiry already. */
  sweepExpired(): Promise<Grant[]> {
    return this.loop.commit(SYSTEM, grants.sweepExpired, undefined);
  }

  // ---------------------------------------------------------------- products, environments, rules

  createProduct(actor: Actor, input: C.Input<typeof C.CreateProductInput>): Promise<Product> {
    return this.run(actor, C.CreateProductInput, input, catalog.createProduct);
  }
  updateProduct(actor: Actor, input: C.Input<typeof C.UpdateProductInput>): Promise<Product> {
    return this.run(actor, C.UpdateProductInput, input, catalog.updateProduct);
  }
  createEnvironment(actor: Actor, input: C.Input<typeof C.CreateEnvironmentInput>): Promise<Environment> {
    return this.run(actor, C.CreateEnvironmentInput, input, catalog.createEnvironment);
  }
  updateEnvironment(actor: Actor, input: C.Input<typeof C.UpdateEnvironmentInput>): Promise<Environment> {
    return this.run(actor, C.UpdateEnvironmentInput, input, catalog.updateEnvironment);
  }
  createRule(actor: Actor, input: C.Input<typeof C.CreateRuleInput>): Promise<DeploymentRule> {
    return this.run(actor, C.CreateRuleInput, input, catalog.createRule);
  }
  updateRule(actor: Actor, input: C.Input<typeof C.UpdateRuleInput>): Promise<DeploymentRule> {
    return this.run(actor, C.UpdateRuleInput, input, catalog.updateRule);
  }
  deleteRule(actor: Actor, input: C.Input<typeof C.RuleRefInput>): Promise<void> {
    return this.run(actor, C.RuleRefInput, input, catalog.deleteRule);
  }

  // ---------------------------------------------------------------- versions & approvals

  /** Registers a version; idempotent for CI retries (the same product and version string returns the existing one). */
  createVersion(actor: Actor, input: C.Input<typeof C.CreateVersionInput>): Promise<{ version: Version; created: boolean }> {
    return this.run(actor, C.CreateVersionInput, input, approvals.createVersion);
  }
  /** Asks for approval of a version for an environment (the Slack bot then posts the message). */
  requestApproval(actor: Actor, input: C.Input<typeof C.RequestApprovalInput>): Promise<Evaluation> {
    return this.run(actor, C.RequestApprovalInput, input, approvals.requestApproval);
  }
  /** Records where the approval message lives (set by the Slack bot). */
  linkMessage(actor: Actor, input: C.Input<typeof C.LinkMessageInput>): Promise<void> {
    return this.run(actor, C.LinkMessageInput, input, approvals.linkMessage);
  }
  /** Approve or reject a version for one approval type; idempotent. */
  decideVersion(actor: Actor, input: C.Input<typeof C.DecideVersionInput>): Promise<VersionDecision> {
    return this.run(actor, C.DecideVersionInput, input, approvals.decideVersion);
  }
  /** `evaluate(version, environment)`: ready, or exactly which approvals are missing. */
  evaluate(input: C.Input<typeof C.EvaluateInput>): Evaluation {
    const i = C.parse(C.EvaluateInput, input);
    return approvals.evaluateIn(this.view, i.versionId, i.environmentId);
  }
  /** The version of a product with this version string, if it was registered. */
  findVersion(productId: string, version: string): Version | null {
    const id = versionByName(this.view, productId, version);
    return (id === undefined ? undefined : own(this.view.versions, id)) ?? null;
  }
  /** Who could give each approval still missing for the version in the environment. */
  approvers(versionId: string, environmentId: string): approvals.Approvers[] {
    return approvals.approversFor(this.view, this.loop.authz, versionId, environmentId);
  }
  /** Creates a deployment; refused while the gate is blocked unless overridden with a reason (break-glass). */
  createDeployment(actor: Actor, input: C.Input<typeof C.CreateDeploymentInput>) {
    return this.run(actor, C.CreateDeploymentInput, input, approvals.createDeployment);
  }
  /** Versions waiting for approval types this user could give now. */
  pendingApprovals(userId: string, actor: Actor = { userId }): PendingApproval[] {
    return approvals.pendingApprovals(this.view, this.loop.authz, userId, actor, this.now);
  }

  // ---------------------------------------------------------------- follow-up and delegation

  /** One tick of reminders, escalations, timeouts and request expiry (system actor); what it did and when next. */
  runFollowUps(input: C.Input<typeof C.FollowUpInput> = {}): Promise<followUps.FollowUpResult> {
    return this.run(SYSTEM, C.FollowUpInput, input, followUps.runFollowUps);
  }
  /** Names a stand-in who may give the actor's approval types until a date. */
  delegate(actor: Actor, input: C.Input<typeof C.DelegateInput>): Promise<Delegation> {
    return this.run(actor, C.DelegateInput, input, delegations.createDelegation);
  }
  undelegate(actor: Actor, input: C.Input<typeof C.DelegationRefInput>): Promise<void> {
    return this.run(actor, C.DelegationRefInput, input, delegations.removeDelegation);
  }
  /** Delegations in force now that a user gave or received. */
  delegationsOf(userId: string): Delegation[] {
    return delegations.activeDelegations(this.view, this.now).filter((d) => d.delegatorId === userId || d.delegateId === userId);
  }

  // ---------------------------------------------------------------- GitHub deployment protection rules

  /** A GitHub run waits on an environment: map it to a version and environment, request approval, record the GitHub context. Idempotent. */
  requestGithubReview(actor: Actor, input: C.Input<typeof github.RequestGithubReviewInput>): Promise<GithubReviewResult> {
    return this.run(actor, github.RequestGithubReviewInput, input, github.requestGithubReview);
  }
  /** Claims (or renews) the callback of a review for one instance; null when another holds it or it has ended. */
  claimGithubCallback(input: C.Input<typeof github.ClaimGithubCallbackInput>): Promise<GithubCallback | null> {
    return this.run(SYSTEM, github.ClaimGithubCallbackInput, input, github.claimGithubCallback);
  }
  /** Records that GitHub accepted (or refused for good) a review's callback. */
  recordGithubCallback(input: C.Input<typeof github.RecordGithubCallbackInput>): Promise<boolean> {
    return this.run(SYSTEM, github.RecordGithubCallbackInput, input, github.recordGithubCallback);
  }
  /** Reviews whose callback has not ended, oldest first. */
  openGithubReviews(): GithubReview[] {
    return github.openGithubReviews(this.view);
  }
  /** What to answer GitHub for a review, or null while approvals are missing. */
  githubVerdict(review: GithubReview): GithubVerdict | null {
    return github.githubVerdict(this.view, review);
  }

  // ---------------------------------------------------------------- releases

  createRelease(actor: Actor, input: C.Input<typeof C.CreateReleaseInput>): Promise<Release> {
    return this.run(actor, C.CreateReleaseInput, input, releases.createRelease);
  }
  addToRelease(actor: Actor, input: C.Input<typeof C.ReleaseVersionInput>): Promise<void> {
    return this.run(actor, C.ReleaseVersionInput, input, releases.addToRelease);
  }
  private async releaseFlag(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>, flag: ReleaseFlag): Promise<void> {
    return this.loop.commit(actor, releases.setReleaseFlag, { ...C.parse(C.ReleaseRefInput, input), flag });
  }
  lockRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release.locked');
  }
  unlockRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release.unlocked');
  }
  archiveRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release.archived');
  }
  restoreRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>) {
    return this.releaseFlag(actor, input, 'release.restored');
  }
  deleteRelease(actor: Actor, input: C.Input<typeof C.ReleaseRefInput>): Promise<void> {
    return this.run(actor, C.ReleaseRefInput, input, releases.deleteRelease);
  }
  decideRelease(actor: Actor, input: C.Input<typeof C.DecideReleaseInput>): Promise<{ changed: boolean; release: Release }> {
    return this.run(actor, C.DecideReleaseInput, input, releases.decideRelease);
  }

  // ---------------------------------------------------------------- access requests

  requestAccess(actor: Actor, input: C.Input<typeof C.RequestAccessInput>): Promise<AccessRequest> {
    return this.run(actor, C.RequestAccessInput, input, accessRequests.requestAccess);
  }
  /** Approve (becomes a time-bound grant, under the same governance rules) or deny an access request. */
  decideAccessRequest(actor: Actor, input: C.Input<typeof C.DecideAccessInput>): Promise<{ request: AccessRequest; grant: Grant | null }> {
    return this.run(actor, C.DecideAccessInput, input, accessRequests.decideAccessRequest);
  }
  pendingAccessRequests(): AccessRequest[] {
    return Object.values(this.view.requests).filter((r) => r.status === 'pending');
  }

  // ---------------------------------------------------------------- API keys & tokens

  /** Creates an API key (permissions frozen now) or a personal token (live permissions); the secret is returned once. */
  async createKey(actor: Actor, input: C.Input<typeof C.CreateKeyInput>): Promise<CreatedKey> {
    const i = C.parse(C.CreateKeyInput, input);
    const keyId = this.ctx.ids.next('key');
    const secret = `${keys.KEY_PREFIX}_${keyId}_${randomBytes(24).toString('base64url')}`;
    return this.loop.commit(actor, keys.createKey, { ...i, keyId, secret });
  }
  revokeKey(actor: Actor, input: C.Input<typeof C.KeyRefInput>): Promise<void> {
    return this.run(actor, C.KeyRefInput, input, keys.revokeKey);
  }
  /** Keys of one owner (or every key for holders of api_key:manage when ownerId is omitted). */
  listKeys(actor: Actor, ownerId?: string): (Omit<ApiKey, 'hash' | 'snapshot'> & { lastUsedAt: number | null })[] {
    if (ownerId === undefined || ownerId !== actor.userId) this.assertCan(actor, 'api_key:manage');
    return Object.values(this.view.keys)
      .filter((k) => ownerId === undefined || k.ownerId === ownerId)
      .map(({ hash: _h, snapshot: _s, ...k }) => ({ ...k, lastUsedAt: this.activity.lastUsed(k.id) }));
  }
  /** Checks a secret against the stored hash in constant time: the key when valid, unrevoked and its owner active. */
  verifyKey(keyId: string, secret: string): ApiKey | null {
    const key = own(this.view.keys, keyId);
    const expected = Buffer.from(key?.hash ?? '0'.repeat(64), 'hex');
    const ok = timingSafeEqual(Buffer.from(keys.hashSecret(secret), 'hex'), expected);
    if (!key || !ok || key.revokedAt !== null || !own(this.view.users, key.ownerId)?.active) return null;
    return key;
  }
  /** Remembers when a key was last used (kept beside the log, written at most once a minute per key). */
  touchKey(keyId: string): Promise<void> {
    return this.activity.touchKey(keyId, own(this.view.keys, keyId)?.ownerId ?? null, this.now);
  }
  /** Remembers that a user was active (Slack interaction). */
  touchUser(userId: string): void {
    this.activity.touchUser(userId, this.now);
  }

  // ---------------------------------------------------------------- configuration as code and audit

  /** The configuration as a document (config/export.ts); needs audit:view or user_role:manage, as the access review. */
  exportConfig(actor: Actor): ConfigDocInput {
    this.assertCanReview(actor);
    return exportConfig(this.view, this.now);
  }
  /** What applying `doc` would change and what governance would refuse; changes nothing. */
  planConfig(actor: Actor, doc: ConfigDocInput, prune = false): ConfigPlan {
    this.assertCanReview(actor);
    return planConfig(this.view, C.parse(ConfigDocSchema, doc), this.loop.envFor(actor), prune).plan;
  }
  /** Applies `doc` as one commit — all or nothing — decided again if another writer got there first. */
  async applyConfig(actor: Actor, doc: ConfigDocInput, prune = false): Promise<ConfigPlan> {
    return this.loop.commit(actor, applyConfig, { doc: C.parse(ConfigDocSchema, doc), prune });
  }
  private assertCanReview(actor: Actor): void {
    if (!this.actorCan(actor, 'audit:view', null)) this.assertCan(actor, 'user_role:manage');
  }

  /** Every event, oldest first, read from the store (the log is the audit trail). */
  async auditEvents(): Promise<AuditEvent[]> {
    const commits = await this.ctx.store.readCommits(this.id, 0);
    return commits.flatMap((c) => c.events);
  }
  async auditTrail(actor: Actor, query: C.Input<typeof C.AuditQueryInput> = {}): Promise<AuditEvent[]> {
    const q = C.parse(C.AuditQueryInput, query);
    if (!(q.userId !== undefined && q.userId === actor.userId)) this.assertCan(actor, 'audit:view');
    return audit.filterTrail(await this.auditEvents(), q);
  }
  /** Walks the hash chain (SPEC §7): reading the whole trail, so it needs `audit:view`. */
  async verifyAudit(actor: Actor): Promise<audit.VerifyResult> {
    this.assertCan(actor, 'audit:view');
    return audit.verifyChain(await this.auditEvents());
  }
  async exportAudit(actor: Actor): Promise<string> {
    this.assertCan(actor, 'audit:view');
    return audit.toJsonLines(await this.auditEvents());
  }
  /** SPEC §7 access review: Admins, inactive users, expiring grants, unused keys, keys exceeding their owner. */
  async accessReview(actor: Actor, opts: ReviewOptions = {}): Promise<AccessReview> {
    this.assertCanReview(actor);
    const { userSeen, keyLastUsed } = await this.activity.collect(await this.auditEvents(), Object.values(this.view.keys));
    return audit.accessReview(this.view, { now: this.now, userSeen, keyLastUsed, can: (u, p, t) => this.can(u, p, t) }, opts);
  }
}
