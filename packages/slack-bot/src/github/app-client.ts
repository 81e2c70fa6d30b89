import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import type { GithubReview, GithubReviewState } from '@gatehouse/core';

/** What GitHub said to one attempt: its status (null: no answer), and whether trying again can help. */
export interface CallbackAttempt {
  ok: boolean;
  status: number | null;
  retryable: boolean;
  error: string | null;
}

/** The review Gatehouse gives a waiting run, as GitHub's endpoint takes it. */
export interface ReviewBody {
  environment_name: string;
  state: GithubReviewState;
  comment: string;
}

/** Sends one review callback; the worker retries. An interface so tests can count or fail attempts. */
export interface ReviewSender {
  send(review: GithubReview, body: ReviewBody): Promise<CallbackAttempt>;
}

/** Whether a URL is on the GitHub API the App was configured for (the installation token goes nowhere else). */
export function onApi(apiUrl: string, url: string): boolean {
  return url.startsWith(`${apiUrl}/`);
}

/** 408, 429 and 5xx are worth another try; a rate-limited 403 too. Other 4xx will not change. */
function retryableStatus(status: number, headers: Headers | null): boolean {
  if (status === 408 || status === 429 || status >= 500) return true;
  return status === 403 && (headers?.get('retry-after') !== null || headers?.get('x-ratelimit-remaining') === '0');
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The GitHub App: an installation token from the app id and private key (`@octokit/auth-app` signs
 * the RS256 JWT, exchanges it at POST /app/installations/{id}/access_tokens and caches the token
 * until shortly before it expires), then the review, POSTed to the run's deployment_callback_url.
 */
export class GithubApp implements ReviewSender {
  private readonly auth: ReturnType<typeof createAppAuth>;

  constructor(private readonly opts: { appId: string; privateKey: string; apiUrl: string; timeoutMs?: number }) {
    this.auth = createAppAuth({ appId: opts.appId, privateKey: opts.privateKey, request: request.defaults({ baseUrl: opts.apiUrl }) });
  }

  /** An installation access token (cached by auth-app). */
  async installationToken(installationId: number): Promise<string> {
    const { token } = await this.auth({ type: 'installation', installationId });
    return token;
  }

  async send(review: GithubReview, body: ReviewBody): Promise<CallbackAttempt> {
    if (!onApi(this.opts.apiUrl, review.callbackUrl)) {
      return { ok: false, status: null, retryable: false, error: `the callback URL ${review.callbackUrl} is not on ${this.opts.apiUrl} (GITHUB_API_URL)` };
    }
    let token: string;
    try {
      token = await this.installationToken(review.installationId);
    } catch (err) {
      // A wrong key or app id stays wrong until a restart, but the claim then passes to an instance
      // that may have it right: keep trying, with the cause in the log.
      const status = (err as { status?: unknown }).status;
      return { ok: false, status: typeof status === 'number' ? status : null, retryable: true, error: `installation token for installation ${review.installationId}: ${message(err)}` };
    }
    try {
      const res = await fetch(review.callbackUrl, {
        method: 'POST',
        headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-github-api-version': '2022-11-28', 'user-agent': 'gatehouse' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      if (res.ok) return { ok: true, status: res.status, retryable: false, error: null };
      return { ok: false, status: res.status, retryable: retryableStatus(res.status, res.headers), error: `GitHub answered ${res.status}: ${text.slice(0, 300)}` };
    } catch (err) {
      return { ok: false, status: null, retryable: true, error: `no answer from GitHub: ${message(err)}` };
    }
  }
}
