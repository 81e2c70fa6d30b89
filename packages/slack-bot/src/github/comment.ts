import type { Account, GithubReview, GithubVerdict } from '@gatehouse/core';
import { own } from '@gatehouse/core';


/** GitHub shows the comment on the run; keep it short enough to read there. */
const MAX = 1000;

const label = (type: string) => (type === 'qa' ? 'QA' : `${type.charAt(0).toUpperCase()}${type.slice(1)}`);

/**
 * The comment Gatehouse leaves on the run: who approved what, or what was rejected, by whom and
 * why. Names are the users' names in Gatehouse (their ids when they have none).
 */
export function reviewComment(account: Account, review: GithubReview, verdict: GithubVerdict): string {
  const s = account.view;
  const name = (userId: string) => own(s.users, userId)?.name || userId;
  const version = own(s.versions, review.versionId);
  const product = version ? own(s.products, version.productId) : undefined;
  const environment = own(s.environments, review.environmentId);
  const what = `${product?.name ?? version?.productId ?? '?'} ${version?.version ?? review.sha}${version && version.version !== review.sha ? ` (${review.sha.slice(0, 7)})` : ''} for ${environment?.name ?? review.environmentId}`;
  const { evaluation } = verdict;
  const parts: string[] = [];
  if (verdict.state === 'approved') {
    for (const r of evaluation.requirements) parts.push(`${label(r.type)} approved by ${r.approvedBy.map(name).join(', ')}`);
    if (evaluation.release?.approved) parts.push(`release approved by ${evaluation.release.approvedBy.map(name).join(', ')}`);
    const body = parts.length ? parts.join('; ') : 'no approval is required by its rules';
    return clip(`Approved in Gatehouse: ${what}. ${body}.`);
  }
  if (evaluation.timedOut) {
    const still = evaluation.missing.filter((m) => !m.startsWith('expired:') && !m.startsWith('rejected: not decided'));
    parts.push(`not decided in time (${evaluation.timedOut.outcome === 'reject' ? "the rule's timeout counts as a rejection" : 'the request expired'}); still missing: ${still.join('; ')}`);
  }
  const reasonOf = (approverId: string, type: string) => version?.decisions.find((d) => d.approverId === approverId && d.type === type && d.decision === 'reject')?.reason;
  for (const r of evaluation.requirements) {
    for (const id of r.rejectedBy) {
      const reason = reasonOf(id, r.type);
      parts.push(`${label(r.type)} rejected by ${name(id)}${reason ? `: ${reason}` : ''}`);
    }
  }
  const release = evaluation.release?.releaseId ? own(s.releases, evaluation.release.releaseId) : undefined;
  for (const d of release?.decisions.filter((x) => x.decision === 'reject') ?? []) parts.push(`release ${release?.name ?? ''} rejected by ${name(d.approverId)}${d.reason ? `: ${d.reason}` : ''}`);
  return clip(`Rejected in Gatehouse: ${what}. ${parts.join('; ')}.`);
}

function clip(text: string): string {
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}
