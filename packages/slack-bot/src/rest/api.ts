import type { Account, Evaluation, Gatehouse, Logger, PendingApproval, Principal, Version } from '@gatehouse/core';
import { configJsonSchema, configToYaml, isGatehouseError } from '@gatehouse/core';
import type { ApiErrorCode, KeyDto, MeResponse, PendingApprovalDto, PersonDto, VersionDto } from '@gatehouse/core/contract';
import {
  API_PREFIX,
  ApprovalRequestRequestSchema,
  CanQuerySchema,
  CreateDeploymentRequestSchema,
  CreateKeyRequestSchema,
  CreateVersionRequestSchema,
  DecisionRequestSchema,
  EvaluateQuerySchema,
  KeyListQuerySchema,
  PathIdSchema,
} from '@gatehouse/core/contract';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { ADMIN_OPERATIONS } from './admin.js';
import { CONFIG_OPERATIONS } from './config.js';
import { DELEGATION_OPERATIONS } from './delegations.js';
import { PIPELINE_OPERATIONS } from './pipeline.js';
import { EvaluationWaiters, evaluationTag } from './wait.js';
import { body } from './body.js';
import { found, own } from './lookup.js';
import { meOf } from './me.js';
import { OPERATIONS, buildOpenApi } from './openapi.js';
import type { Operation } from './operation.js';
import { expressPath, pathParams } from './operation.js';

export interface RestOptions {
  /** Aborted when the server stops: waiting requests are answered at once. */
  stopping?: AbortSignal;
  gatehouse: Gatehouse;
  /** The accounts this server serves (GATEHOUSE_ACCOUNT_ID): keys of any other are refused. */
  serves: readonly string[];
  /** Requests per minute per key. */
  rateLimit: number;
  bodyLimit: string;
  version: string;
  /** Where internal errors are reported (the server's logger). */
  logger: Logger;
}

/** HTTP status of each error code. */
const STATUS: Record<ApiErrorCode, number> = {
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  self_change: 403,
  escalation: 403,
  last_admin: 409,
  static_role_immutable: 409,
  role_in_use: 409,
  role_scope: 400,
  user_inactive: 403,
  separation_of_duties: 403,
  release_locked: 409,
  release_archived: 409,
  deployment_blocked: 409,
  reason_required: 400,
  request_not_pending: 409,
  invalid_key: 401,
  storage_conflict: 503,
  storage_corrupt: 500,
  storage_unavailable: 503,
  unauthenticated: 401,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
};

export function sendError(res: Response, code: ApiErrorCode, message: string, details?: Record<string, unknown>): void {
  res.status(STATUS[code]).json({ error: { code, message, ...(details ? { details } : {}) } });
}

/** The API's code for a client-error status that express, the router or the body parser sets. */
const CLIENT_CODES: Partial<Record<number, ApiErrorCode>> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The 4xx status an error carries (`status` or `statusCode`, as http-errors sets them), else null. */
export function clientStatus(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { status?: unknown; statusCode?: unknown };
  const s = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 499 ? s : null;
}

/** Words for a client error from below the API (the request, not the core, is at fault). */
function clientMessage(err: unknown, status: number, bodyLimit: string): string {
  const e = err as { type?: unknown; message?: unknown; expose?: unknown };
  if (err instanceof URIError) return 'the URL has a %-escape that is not UTF-8: percent-encode the path and query as UTF-8';
  switch (e.type) {
    case 'entity.too.large':
      return `the body is larger than ${bodyLimit}`;
    case 'entity.parse.failed':
      return 'the body is not valid JSON';
    case 'charset.unsupported':
      return 'send the body as UTF-8 JSON (Content-Type: application/json; charset=utf-8)';
    case 'encoding.unsupported':
      return 'send the body without Content-Encoding, or gzip, deflate or br';
    default:
      // http-errors marks the messages of 4xx errors safe to show (`expose`); others get the status's meaning.
      return e.expose === true && typeof e.message === 'string' ? e.message.slice(0, 300) : `the request could not be handled (HTTP ${status})`;
  }
}

/**
 * The REST API's error handler: typed domain errors keep their code; an error that carries a 4xx
 * status (a URL that does not decode, a charset or encoding the body parser refuses, a body that
 * is too large or not JSON) keeps that status with the stable error body; anything else is
 * internal (500), logged with its stack. Malformed input is never a 5xx.
 */
export function apiErrors(opts: Pick<RestOptions, 'bodyLimit' | 'logger'>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    // Too late for an answer of our own: express closes the connection.
    if (res.headersSent) return next(err);
    if (isGatehouseError(err)) {
      const code: ApiErrorCode = Object.hasOwn(STATUS, err.code) ? err.code : 'internal';
      sendError(res, code, err.message, err.details);
      return;
    }
    const status = clientStatus(err);
    if (status !== null) {
      res.status(status).json({ error: { code: CLIENT_CODES[status] ?? 'validation_failed', message: clientMessage(err, status, opts.bodyLimit) } });
      return;
    }
    opts.logger.error('REST internal error', { method: req.method, path: req.originalUrl, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    sendError(res, 'internal', 'internal error: the server logged the details');
  };
}

function principal(res: Response): Principal {
  return (res.locals as { principal: Principal }).principal;
}

/** Wraps an async handler so a thrown error reaches the error middleware. */
const route =
  (fn: (req: Request, res: Response) => unknown) =>
  (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve()
      .then(() => fn(req, res))
      .then((payload) => {
        if (!res.headersSent && !res.destroyed) res.json(payload);
      })
      .catch(next);
  };

export function versionDto(v: Version): VersionDto {
  return { ...v };
}

/** Every user a pending approval mentions by id, named once each (in the order first mentioned). */
function peopleOf(account: Account, p: PendingApproval): PersonDto[] {
  const e = p.evaluation;
  const ids = new Set([p.version.createdBy, ...e.requirements.flatMap((r) => [...r.approvedBy, ...r.rejectedBy]), ...(e.release ? [...e.release.approvedBy, ...e.release.rejectedBy] : []), ...p.onBehalfOf]);
  return [...ids].map((id) => {
    const u = own(account.view.users, id);
    return { id, name: u?.name || id, ...(u?.serviceAccount ? { serviceAccount: true } : {}) };
  });
}

function pendingDto(account: Account, p: PendingApproval): PendingApprovalDto {
  const env = own(account.view.environments, p.environmentId);
  const creator = own(account.view.users, p.version.createdBy);
  const team = own(account.view.teams, p.product.teamId);
  return {
    version: versionDto(p.version),
    product: { id: p.product.id, name: p.product.name, teamId: p.product.teamId, ...(team ? { teamName: team.name } : {}) },
    environment: { id: p.environmentId, name: env?.name ?? p.environmentId, production: env?.production ?? false },
    creator: { id: p.version.createdBy, name: creator?.name || p.version.createdBy },
    evaluation: p.evaluation,
    canGive: p.canGive,
    followUp: p.followUp,
    onBehalfOf: p.onBehalfOf.map((id) => ({ id, name: own(account.view.users, id)?.name || id })),
    people: peopleOf(account, p),
  };
}

function keyDto(k: ReturnType<Account['listKeys']>[number]): KeyDto {
  return { id: k.id, ownerId: k.ownerId, name: k.name, kind: k.kind, prefix: k.prefix, createdAt: k.createdAt, createdBy: k.createdBy, revokedAt: k.revokedAt, lastUsedAt: k.lastUsedAt };
}

function evaluationDto(e: Evaluation): Evaluation {
  return e;
}

/** Registers an operation: body and query validated by its schemas, then its handler; 204 sends no body. */
function register(r: Router, op: Operation): void {
  r[op.method](
    expressPath(op.path),
    route(async (req, res) => {
      const p = principal(res);
      res.status(op.status ?? 200);
      const payload = await op.handle({
        account: p.account,
        actor: p.actor,
        params: req.params,
        body: op.body ? body(op.body, req.body) : undefined,
        query: op.query ? body(op.query, req.query) : undefined,
        status: (code) => void res.status(code),
      });
      if (res.statusCode !== 204) return payload;
      res.end();
      return undefined;
    }),
  );
}

/**
 * The REST API under /api/v1: Bearer API key or personal token, JSON bodies validated by the
 * core's zod contract, errors as `{ error: { code, message } }`, a body limit and a per-key rate limit.
 */
export function restRouter(opts: RestOptions): Router {
  const { gatehouse } = opts;
  const waiters = new EvaluationWaiters(gatehouse);
  opts.stopping?.addEventListener('abort', () => waiters.close(), { once: true });
  const r = express.Router();
  const openapi = buildOpenApi(opts.version);

  r.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // Public: editors fetch it to complete and check configuration files.
  const configSchema = configJsonSchema();
  r.get('/config.schema.json', (_req, res) => {
    res.json(configSchema);
  });

  r.use((req, res, next) => {
    // A POST without a body (curl -X POST …/lock sends no Content-Length) needs no Content-Type.
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && hasBody && !req.is('application/json')) {
      sendError(res, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
      return;
    }
    next();
  });
  r.use(express.json({ limit: opts.bodyLimit, strict: true }));

  // Authentication: every route below needs a key or token.
  r.use((req, res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1]) {
      sendError(res, 'unauthenticated', 'missing credentials: send "Authorization: Bearer <API key or personal token>" (create one in Slack with /gatehouse keys create, or on the server with npm run gatehouse -- key --user <id> --name <name>)');
      return;
    }
    gatehouse.authenticate(m[1], { serves: opts.serves }).then((p) => {
      (res.locals as { principal: Principal }).principal = p;
      next();
    }, next);
  });

  r.use(
    rateLimit({
      windowMs: 60_000,
      limit: opts.rateLimit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (_req, res) => principal(res).key.id,
      handler: (_req, res) => sendError(res, 'rate_limited', `more than ${opts.rateLimit} requests a minute with this key: slow down and retry after the Retry-After header`),
    }),
  );

  // Every path parameter is an id (PathIdSchema, as OpenAPI documents it): one longer than an id
  // can be is refused here, before its handler runs.
  for (const name of new Set(OPERATIONS.flatMap((op) => pathParams(op.path)))) {
    r.param(name, (_req, _res, next, value: unknown) => {
      try {
        body(z.object({ [name]: PathIdSchema }), { [name]: value });
        next();
      } catch (err) {
        next(err);
      }
    });
  }

  r.get(
    '/me',
    route((_req, res) => {
      const p = principal(res);
      const me: MeResponse = { ...meOf(p.account, p.actor.userId, p.actor), key: { id: p.key.id, name: p.key.name, kind: p.key.kind } };
      return me;
    }),
  );

  r.get(
    '/can',
    route((req, res) => {
      const p = principal(res);
      const q = body(CanQuerySchema, req.query);
      const teamId = q.teamId ?? null;
      const allowed = p.account.actorCan(p.actor, q.permission, teamId);
      const d = p.account.explain(p.actor.userId, q.permission, teamId);
      const team = teamId === null ? undefined : own(p.account.view.teams, teamId);
      // Words name the team and roles; the ids stay in teamId and grantingRoles for programs.
      const where = teamId === null ? 'globally' : `in team ${team?.name ?? teamId}`;
      let reason: string | null = null;
      let grantingRoles: string[] = [];
      if (!allowed) {
        grantingRoles = d.allowed ? [] : [...d.denial.grantingRoles];
        reason = d.allowed
          ? `your roles allow ${q.permission} ${where}, but this API key was created before you had it (keys keep the permissions of their creation): create a new key`
          : d.denial.cause === 'user_inactive'
            ? `your user is deactivated, so no role gives ${q.permission} ${where}`
            : `none of your roles grants ${q.permission} ${where}; roles that do: ${grantingRoles.map((id) => p.account.role(id)?.name ?? id).join(', ')}`;
      }
      return { allowed, permission: q.permission, teamId, ...(team ? { teamName: team.name } : {}), reason, grantingRoles };
    }),
  );

  r.get(
    '/approvals/pending',
    route((_req, res) => {
      const p = principal(res);
      return { items: p.account.pendingApprovals(p.actor.userId, p.actor).map((x) => pendingDto(p.account, x)) };
    }),
  );

  r.post(
    '/versions',
    route(async (req, res) => {
      const p = principal(res);
      const input = body(CreateVersionRequestSchema, req.body);
      const { version, created } = await p.account.createVersion(p.actor, input);
      res.status(created ? 201 : 200);
      return { version: versionDto(version), created };
    }),
  );

  r.get(
    '/versions/:id',
    route((req, res) => {
      const p = principal(res);
      const versionId = String(req.params['id']);
      const v = found(p.account.view.versions, 'version', versionId);
      p.account.assertCan(p.actor, 'version:view', { productId: v.productId });
      return { version: versionDto(v) };
    }),
  );

  r.post(
    '/versions/:id/decisions',
    route(async (req, res) => {
      const p = principal(res);
      const b = body(DecisionRequestSchema, req.body);
      const out = await p.account.decideVersion(p.actor, { versionId: String(req.params['id']), approvalType: b.approvalType, decision: b.decision, reason: b.reason ?? null });
      return { changed: out.changed, version: versionDto(out.version), evaluations: out.evaluations.map(evaluationDto) };
    }),
  );

  r.post(
    '/versions/:id/approval-requests',
    route(async (req, res) => {
      const p = principal(res);
      const b = body(ApprovalRequestRequestSchema, req.body);
      return evaluationDto(await p.account.requestApproval(p.actor, { versionId: String(req.params['id']), environmentId: b.environmentId }));
    }),
  );

  r.get(
    '/versions/:id/evaluation',
    route(async (req, res) => {
      const p = principal(res);
      const q = body(EvaluateQuerySchema, req.query);
      const versionId = String(req.params['id']);
      p.account.assertCan(p.actor, 'version:view', { versionId });
      const now = p.account.evaluate({ versionId, environmentId: q.environmentId });
      const held = q.since ?? req.get('if-none-match');
      let tag = evaluationTag(now);
      let answer: Evaluation | null = now;
      if (held === tag) {
        // The caller has this one already: wait (long-poll) for a change, else 304.
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        answer = q.wait ? await waiters.wait(p.account, versionId, q.environmentId, tag, q.wait, gone.signal) : null;
        if (answer) tag = evaluationTag(answer);
      }
      res.setHeader('ETag', tag);
      res.setHeader('Cache-Control', 'no-store');
      if (!answer) {
        if (!res.destroyed) res.status(304).end();
        return undefined;
      }
      return evaluationDto(answer);
    }),
  );

  r.post(
    '/deployments',
    route(async (req, res) => {
      const p = principal(res);
      const b = body(CreateDeploymentRequestSchema, req.body);
      const out = await p.account.createDeployment(p.actor, b);
      res.status(201);
      return out;
    }),
  );

  r.get(
    '/keys',
    route((req, res) => {
      const p = principal(res);
      const owner = body(KeyListQuerySchema, req.query).ownerId ?? p.actor.userId;
      return { items: p.account.listKeys(p.actor, owner === '*' ? undefined : owner).map(keyDto) };
    }),
  );

  r.post(
    '/keys',
    route(async (req, res) => {
      const p = principal(res);
      const b = body(CreateKeyRequestSchema, req.body);
      const created = await gatehouse.createKey(p.account, p.actor, b);
      res.status(201);
      return { key: { ...created.key, lastUsedAt: null }, secret: created.secret };
    }),
  );

  r.delete(
    '/keys/:id',
    route(async (req, res) => {
      const p = principal(res);
      await p.account.revokeKey(p.actor, { keyId: String(req.params['id']) });
      res.status(204).end();
      return undefined;
    }),
  );

  // GET /config as YAML for whoever asks for it (a person with curl, an editor); JSON otherwise.
  r.get('/config', (req, res, next) => {
    if (req.accepts(['application/json', 'application/yaml', 'text/yaml']) === 'application/json') return next();
    try {
      const p = principal(res);
      res.type('application/yaml').send(configToYaml(p.account.exportConfig(p.actor), `${req.protocol}://${req.get('host') ?? 'localhost'}${API_PREFIX}/config.schema.json`));
    } catch (err) {
      next(err);
    }
  });
  for (const op of [...ADMIN_OPERATIONS, ...CONFIG_OPERATIONS, ...PIPELINE_OPERATIONS, ...DELEGATION_OPERATIONS]) register(r, op);

  r.use((_req, res) => sendError(res, 'not_found', `no such endpoint; see ${API_PREFIX}/openapi.json`));

  r.use(apiErrors(opts));
  return r;
}
