import type { z } from 'zod';
import { GatehouseError, NotFoundError } from '../../errors.js';
import type { EventBody } from '../../events/schema.js';
import type { Decide } from '../../kernel/decider.js';
import { SYSTEM, unchanged } from '../../kernel/decider.js';
import { need } from '../../kernel/guards.js';
import { versionOf } from '../../kernel/lookups.js';
import { own } from '../../own.js';
import type { AccountState, Environment, GithubCallback, GithubReview, Product, Version } from '../../schemas.js';
import { createVersion } from '../approvals/decide.js';
import type { ClaimGithubCallbackInput, RecordGithubCallbackInput, RequestGithubReviewInput } from './commands.js';

/**
 * GitHub deployment protection rules: a workflow run waiting on an environment asks Gatehouse to
 * review it; the repository maps to a product, the GitHub environment to a Gatehouse environment,
 * the commit to a version, and approval is requested as for any version. One instance then claims
 * the answer to GitHub and records how the callback ended.
 */

const sameRepo = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The product whose `repositories` list the repository (compared case-insensitively, as GitHub does). */
export function productForRepository(s: AccountState, repository: string): Product {
  const found = Object.values(s.products).filter((p) => p.repositories?.some((r) => sameRepo(r, repository)));
  if (found.length === 1 && found[0]) return found[0];
  if (found.length > 1) throw new GatehouseError('conflict', `repository ${repository} is listed by several products (${found.map((p) => p.id).join(', ')}): list it in one`, { repository, products: found.map((p) => p.id) });
  throw new GatehouseError('not_found', `no product lists repository ${repository}: add it to a product's repositories (configuration: products.<id>.repositories)`, { entity: 'repository', id: repository });
}

/**
 * The Gatehouse environment a GitHub environment stands for, among those the product may deploy
 * to (account-wide or its own): the one whose id is the name, else whose id or name equals it
 * ignoring case; the product's own environment wins over an account-wide one of the same name.
 */
export function environmentForGithub(s: AccountState, name: string, productId: string): Environment {
  const allowed = Object.values(s.environments).filter((e) => e.productId === null || e.productId === productId);
  const exact = allowed.find((e) => e.id === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  const matches = allowed.filter((e) => e.id.toLowerCase() === lower || e.name.toLowerCase() === lower);
  const best = matches.find((e) => e.productId === productId) ?? (matches.length === 1 ? matches[0] : undefined);
  if (best) return best;
  if (matches.length > 1) throw new GatehouseError('conflict', `GitHub environment '${name}' matches several environments (${matches.map((e) => e.id).join(', ')}): rename one, or name the GitHub environment after an environment id`, { environment: name });
  throw new GatehouseError('not_found', `no environment of product '${productId}' is called '${name}': create one with that id or name (ids match exactly, names ignoring case)`, { entity: 'environment', id: name });
}

/** The version of the product built from the commit: the newest that records it, else the one named by the sha itself. */
export function versionForCommit(s: AccountState, productId: string, sha: string): Version | undefined {
  const lower = sha.toLowerCase();
  const ofProduct = Object.values(s.versions).filter((v) => v.productId === productId);
  const built = ofProduct.filter((v) => v.commit?.toLowerCase() === lower).sort((a, b) => b.createdAt - a.createdAt)[0];
  return built ?? ofProduct.find((v) => v.version.toLowerCase() === lower);
}

/** Whether a review's callback has ended (sent or failed for good). */
export const isClosed = (r: GithubReview) => r.callback?.outcome !== undefined;

export function reviewOf(s: AccountState, id: string): GithubReview {
  const r = own(s.githubReviews ?? {}, id);
  if (!r) throw new NotFoundError('GitHub review', id);
  return r;
}

export interface GithubReviewResult {
  review: GithubReview;
  version: Version;
  /** False when the webhook was a repeat (same delivery, or the same run and environment still open). */
  created: boolean;
  versionCreated: boolean;
}

/**
 * Records a review request and asks for approval of its version for the environment, in one commit.
 * Idempotent: a repeated delivery, or another delivery for a run and environment still waiting,
 * returns the review already recorded.
 */
export const requestGithubReview: Decide<z.output<typeof RequestGithubReviewInput>, GithubReviewResult> = (s, i, env) => {
  const known = Object.values(s.githubReviews ?? {}).find(
    (r) => r.deliveryId === i.deliveryId || (sameRepo(r.repository, i.repository) && r.runId === i.runId && r.environmentName === i.environmentName && !isClosed(r)),
  );
  if (known) return unchanged({ review: known, version: versionOf(s, known.versionId), created: false, versionCreated: false });
  const product = productForRepository(s, i.repository);
  const environment = environmentForGithub(s, i.environmentName, product.id);
  const events: EventBody[] = [];
  let version = versionForCommit(s, product.id, i.sha);
  if (version) need(env, 'version:create', product.teamId);
  else {
    const made = createVersion(s, { productId: product.id, version: i.sha, releaseId: null, commit: i.sha }, env);
    events.push(...made.events);
    version = made.result.version;
  }
  if (!version.requestedFor.includes(environment.id)) events.push({ type: 'version.approval_requested', data: { versionId: version.id, environmentId: environment.id } });
  const review: GithubReview = {
    id: env.newId('ghr'),
    versionId: version.id,
    environmentId: environment.id,
    repository: i.repository,
    ref: i.ref,
    sha: i.sha,
    runId: i.runId,
    environmentName: i.environmentName,
    callbackUrl: i.callbackUrl,
    installationId: i.installationId,
    deploymentId: i.deploymentId,
    event: i.event,
    deliveryId: i.deliveryId,
    requestedAt: env.now,
    callback: null,
  };
  events.push({ type: 'github.review_requested', data: { review } });
  return { events, result: { review, version, created: true, versionCreated: events[0]?.type === 'version.created' } };
};

function systemOnly(actor: { userId: string }): void {
  if (actor.userId !== SYSTEM.userId) throw new GatehouseError('forbidden', 'only the system answers GitHub', {});
}

/**
 * Claims the callback of a review for one instance until `now + leaseMs`, so exactly one instance
 * sends it: the commit loop appends one commit per seq, so of two instances claiming at once one
 * wins and the other, deciding again, finds the claim. The holder renews its claim; another takes
 * it over only once the lease has run out. The answer is fixed by the first claim. Null: not yours.
 */
export const claimGithubCallback: Decide<z.output<typeof ClaimGithubCallbackInput>, GithubCallback | null> = (s, i, env) => {
  systemOnly(env.actor);
  const r = reviewOf(s, i.reviewId);
  const held = r.callback;
  if (held?.outcome !== undefined) return unchanged(null);
  if (held && held.instance !== i.instance && held.leaseUntil > env.now) return unchanged(null);
  const state = held?.state ?? i.state;
  const comment = held?.comment ?? i.comment;
  const attempts = Math.max(held?.attempts ?? 0, i.attempts);
  const leaseUntil = env.now + i.leaseMs;
  return {
    events: [{ type: 'github.callback_claimed', data: { reviewId: r.id, state, comment, instance: i.instance, leaseUntil, attempts, previousInstance: held?.instance ?? null } }],
    result: { state, comment, instance: i.instance, leaseUntil, attempts },
  };
};

/** Records how a claimed callback ended, once (a later report for the same review changes nothing). */
export const recordGithubCallback: Decide<z.output<typeof RecordGithubCallbackInput>, boolean> = (s, i, env) => {
  systemOnly(env.actor);
  const r = reviewOf(s, i.reviewId);
  const held = r.callback;
  if (!held || held.outcome !== undefined) return unchanged(false);
  const base = { reviewId: r.id, state: held.state, instance: i.instance, attempts: i.attempts };
  const status = i.status ?? 0;
  const body: EventBody =
    i.outcome === 'sent'
      ? { type: 'github.callback_sent', data: { ...base, status } }
      : { type: 'github.callback_failed', data: { ...base, status: i.status, error: i.error ?? 'refused' } };
  return { events: [body], result: true };
};
