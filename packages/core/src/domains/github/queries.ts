import { own } from '../../own.js';
import type { AccountState, GithubReview, GithubReviewState } from '../../schemas.js';
import type { Evaluation } from '../approvals/evaluate.js';
import { evaluateIn } from '../approvals/evaluate.js';
import { isClosed } from './decide.js';

/** What Gatehouse answers GitHub for a review, once it is decided; the evaluation says why. */
export interface GithubVerdict {
  state: GithubReviewState;
  evaluation: Evaluation;
}

/**
 * Approved once the version is ready for the environment; rejected as soon as any requirement (or
 * the release) is rejected, or the request ran out of time (the rule's timeout: either outcome
 * means the deployment cannot go on); null while approvals are still missing.
 */
export function githubVerdict(s: AccountState, review: GithubReview): GithubVerdict | null {
  const evaluation = evaluateIn(s, review.versionId, review.environmentId);
  if (evaluation.ready) return { state: 'approved', evaluation };
  const rejected = evaluation.timedOut !== undefined || evaluation.requirements.some((r) => r.rejectedBy.length > 0) || (evaluation.release?.rejectedBy.length ?? 0) > 0;
  return rejected ? { state: 'rejected', evaluation } : null;
}

/** Reviews whose callback has not ended, oldest first. */
export function openGithubReviews(s: AccountState): GithubReview[] {
  return Object.values(s.githubReviews ?? {})
    .filter((r) => !isClosed(r) && own(s.versions, r.versionId) !== undefined)
    .sort((a, b) => a.requestedAt - b.requestedAt);
}
