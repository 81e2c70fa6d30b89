import type { Gatehouse, Logger } from '@gatehouse/core';
import { SYSTEM, isGatehouseError } from '@gatehouse/core';
import { Webhooks } from '@octokit/webhooks';
import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { GithubMode } from '../config.js';
import { onApi } from './app-client.js';

export const WEBHOOK_PATH = '/github/webhook';

/** GitHub sends payloads up to 25 MB; a deployment protection rule's is far smaller. */
const BODY_LIMIT = '5mb';

/** What Gatehouse reads of a `deployment_protection_rule` webhook (GitHub sends more; it is ignored). */
const ReviewPayload = z.object({
  action: z.string(),
  environment: z.string().min(1),
  event: z.string().nullish(),
  deployment_callback_url: z.string().min(1),
  deployment: z.object({ id: z.number().int(), sha: z.string(), ref: z.string() }),
  repository: z.object({ full_name: z.string() }),
  installation: z.object({ id: z.number().int().positive() }),
});

const Seen = z.object({ at: z.number() });
const DELIVERY = /^[A-Za-z0-9-]{1,100}$/;
const CALLBACK = /\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

export interface WebhookDeps {
  gatehouse: Gatehouse;
  accountId: string;
  mode: GithubMode;
  logger: Logger;
}

type Answer = { status: number; body: Record<string, unknown>; remember: boolean };
const refuse = (status: number, code: string, message: string): Answer => ({ status, body: { ok: false, error: { code, message } }, remember: false });

/**
 * `POST /github/webhook`: the GitHub App's webhook. Verifies X-Hub-Signature-256 over the raw body
 * with the webhook secret, answers a delivery it has handled before (X-GitHub-Delivery, remembered
 * in the store) without doing anything again, and turns `deployment_protection_rule` (requested)
 * into a review: version, approval request, GitHub context. A delivery that could not be mapped is
 * answered 422 and not remembered, so it can be redelivered from GitHub once the mapping is fixed.
 */
export function githubWebhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const { mode, logger } = deps;
  const webhooks = mode.kind === 'on' ? new Webhooks({ secret: mode.webhookSecret }) : null;

  const handle = async (req: Request): Promise<Answer> => {
    if (mode.kind === 'off' || !webhooks) return refuse(503, 'github_not_configured', mode.kind === 'off' ? mode.reason : 'the GitHub App is not configured');
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const signature = req.get('x-hub-signature-256');
    if (!signature) return refuse(401, 'signature_missing', 'X-Hub-Signature-256 is missing: GitHub signs deliveries when the App has a webhook secret; set the same one as GITHUB_WEBHOOK_SECRET');
    const valid = await webhooks.verify(raw, signature).catch(() => false);
    if (!valid) return refuse(401, 'signature_invalid', 'X-Hub-Signature-256 does not match the body: the delivery was not signed with GITHUB_WEBHOOK_SECRET');
    const event = req.get('x-github-event') ?? '';
    const delivery = req.get('x-github-delivery') ?? '';
    if (!event || !DELIVERY.test(delivery)) return refuse(400, 'bad_request', 'X-GitHub-Event and X-GitHub-Delivery (a GUID) are required');
    const seenKey = `github:delivery:${delivery}`;
    if (await deps.gatehouse.store.getMeta(seenKey, Seen)) return { status: 200, body: { ok: true, duplicate: true, delivery }, remember: false };
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return refuse(400, 'bad_request', 'the body is not JSON: set the App webhook content type to application/json');
    }
    if (event === 'ping') return { status: 200, body: { ok: true, event }, remember: true };
    const action = (payload as { action?: unknown } | null)?.action;
    if (event !== 'deployment_protection_rule' || action !== 'requested') return { status: 202, body: { ok: true, ignored: `${event}${typeof action === 'string' ? `.${action}` : ''}` }, remember: true };
    return review(payload, delivery);
  };

  const review = async (payload: unknown, delivery: string): Promise<Answer> => {
    if (mode.kind === 'off') return refuse(503, 'github_not_configured', mode.reason);
    const parsed = ReviewPayload.safeParse(payload);
    if (!parsed.success) return refuse(400, 'bad_request', `not a deployment_protection_rule payload: ${z.prettifyError(parsed.error)}`);
    const p = parsed.data;
    const url = p.deployment_callback_url;
    const runId = CALLBACK.exec(url)?.[1];
    if (!onApi(mode.apiUrl, url) || !runId) return refuse(422, 'callback_url', `deployment_callback_url ${url} is not a deployment protection rule callback on ${mode.apiUrl} (GITHUB_API_URL)`);
    try {
      const account = await deps.gatehouse.existingAccount(deps.accountId);
      const actor = mode.serviceAccount ? { userId: mode.serviceAccount } : SYSTEM;
      const r = await account.requestGithubReview(actor, {
        repository: p.repository.full_name,
        environmentName: p.environment,
        sha: p.deployment.sha,
        ref: p.deployment.ref,
        runId: Number(runId),
        callbackUrl: url,
        installationId: p.installation.id,
        deploymentId: p.deployment.id,
        event: p.event ?? null,
        deliveryId: delivery,
      });
      const facts = { delivery, review: r.review.id, repository: p.repository.full_name, environment: p.environment, run: Number(runId), version: r.version.id };
      if (r.created) logger.info('GitHub deployment review requested', facts);
      return { status: 202, body: { ok: true, review: r.review.id, versionId: r.version.id, environmentId: r.review.environmentId, created: r.created }, remember: true };
    } catch (err) {
      // The store's trouble, not the delivery's: answered below as such, never as a refusal of the request.
      if (!isGatehouseError(err) || err.code.startsWith('storage_')) throw err;
      logger.warn(`GitHub deployment review not recorded: ${err.message}`, { delivery, repository: p.repository.full_name, environment: p.environment });
      return refuse(422, err.code, err.message);
    }
  };

  router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: BODY_LIMIT }), (req: Request, res: Response) => {
    handle(req)
      .then(async (a) => {
        if (a.remember) await deps.gatehouse.store.setMeta(`github:delivery:${req.get('x-github-delivery') ?? ''}`, { at: deps.gatehouse.clock.now() });
        res.status(a.status).json(a.body);
      })
      .catch((err: unknown) => {
        if (isGatehouseError(err) && err.code === 'storage_unavailable') {
          // Not remembered: redelivered from GitHub once the store is back, it is handled then.
          logger.warn('GitHub webhook not handled: the store cannot be reached', { err: err.message });
          const message = "Gatehouse cannot reach its store, so this delivery was not handled: once /healthz answers 200, Redeliver it from the GitHub App's Advanced → Recent Deliveries";
          if (!res.headersSent) res.status(503).json({ ok: false, error: { code: err.code, message } });
          return;
        }
        logger.error('GitHub webhook failed', { err: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.status(500).json({ ok: false, error: { code: 'internal', message: 'the delivery could not be handled; GitHub may redeliver it' } });
      });
  });
  router.all(WEBHOOK_PATH, (_req, res) => {
    res.status(405).set('allow', 'POST').json({ ok: false, error: { code: 'method_not_allowed', message: 'GitHub POSTs deliveries here' } });
  });
  return router;
}
