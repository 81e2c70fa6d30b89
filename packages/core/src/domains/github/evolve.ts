import { own } from '../../own.js';
import type { AccountState } from '../../schemas.js';
import type { Evolvers } from '../../state/evolver.js';

const reviewIn = (state: AccountState, id: string) => own(state.githubReviews ?? {}, id);

/** GitHub deployment reviews and their callbacks. */
export const githubEvolvers: Evolvers<'github.review_requested' | 'github.callback_claimed' | 'github.callback_sent' | 'github.callback_failed'> = {
  'github.review_requested': (state, e) => {
    (state.githubReviews ??= {})[e.data.review.id] = e.data.review;
  },
  'github.callback_claimed': (state, e) => {
    const r = reviewIn(state, e.data.reviewId);
    const d = e.data;
    if (r) r.callback = { state: d.state, comment: d.comment, instance: d.instance, leaseUntil: d.leaseUntil, attempts: d.attempts };
  },
  'github.callback_sent': (state, e) => {
    const r = reviewIn(state, e.data.reviewId);
    if (r?.callback) r.callback = { ...r.callback, attempts: e.data.attempts, outcome: 'sent', status: e.data.status, at: e.at };
  },
  'github.callback_failed': (state, e) => {
    const r = reviewIn(state, e.data.reviewId);
    if (r?.callback) r.callback = { ...r.callback, attempts: e.data.attempts, outcome: 'failed', status: e.data.status, error: e.data.error.slice(0, 1000), at: e.at };
  },
};
