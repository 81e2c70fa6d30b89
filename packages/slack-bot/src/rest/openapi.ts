import * as contract from '@gatehouse/core/contract';
import { z } from 'zod';
import { ADMIN_OPERATIONS } from './admin.js';
import { CONFIG_OPERATIONS } from './config.js';
import { DELEGATION_OPERATIONS } from './delegations.js';
import { PIPELINE_OPERATIONS } from './pipeline.js';
import type { Op } from './operation.js';
import { pathParams } from './operation.js';

/** The personal and CI endpoints (their routes are in api.ts). */
const PERSONAL_AND_CI: readonly Op[] = [
  { method: 'get', path: '/me', summary: 'Who am I: roles and effective permissions globally and per team', response: contract.MeResponseSchema },
  { method: 'get', path: '/can', summary: 'May I …? Allow/deny with the reason on deny', query: contract.CanQuerySchema, response: contract.CanResponseSchema },
  { method: 'get', path: '/approvals/pending', summary: 'Versions waiting for approval types I can give', response: contract.PendingApprovalsResponseSchema },
  { method: 'post', path: '/versions', summary: 'Register a version (idempotent per product and version string)', body: contract.CreateVersionRequestSchema, response: contract.CreateVersionResponseSchema, status: 201 },
  { method: 'get', path: '/versions/{id}', summary: 'A version with its decisions', response: z.object({ version: contract.VersionDtoSchema }) },
  { method: 'post', path: '/versions/{id}/decisions', summary: 'Approve or reject a version for one approval type', body: contract.DecisionRequestSchema, response: contract.DecisionResponseSchema },
  { method: 'post', path: '/versions/{id}/approval-requests', summary: 'Ask for approval of a version for an environment (posts the Slack message)', body: contract.ApprovalRequestRequestSchema, response: contract.EvaluationSchema },
  { method: 'get', path: '/versions/{id}/evaluation', summary: 'May this version go to this environment? Ready, or the missing approvals', query: contract.EvaluateQuerySchema, response: contract.EvaluationSchema },
  { method: 'post', path: '/deployments', summary: 'Create a deployment (refused while blocked; override with a reason needs gate:override)', body: contract.CreateDeploymentRequestSchema, response: contract.CreateDeploymentResponseSchema, status: 201 },
  { method: 'get', path: '/keys', summary: 'My API keys and tokens (ownerId=* lists all, with api_key:manage)', query: contract.KeyListQuerySchema, response: contract.KeyListResponseSchema },
  { method: 'post', path: '/keys', summary: 'Create an API key or personal token; the secret is in this response only', body: contract.CreateKeyRequestSchema, response: contract.CreateKeyResponseSchema, status: 201 },
  { method: 'delete', path: '/keys/{id}', summary: 'Revoke a key', status: 204 },
];

/** The API surface, described with the same zod schemas the server validates with. */
export const OPERATIONS: readonly Op[] = [...PERSONAL_AND_CI, ...ADMIN_OPERATIONS, ...CONFIG_OPERATIONS, ...PIPELINE_OPERATIONS, ...DELEGATION_OPERATIONS];

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
const pathSchema = schema(contract.PathIdSchema, 'input');

/** OpenAPI 3.1 document generated from the zod contract. */
export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters: unknown[] = pathParams(op.path).map((name) => ({ name, in: 'path', required: true, schema: pathSchema }));
    if (op.query) {
      for (const [name, s] of Object.entries(op.query.shape)) {
        parameters.push({ name, in: 'query', required: !(s as z.ZodType).safeParse(undefined).success, schema: schema(s as z.ZodType, 'input') });
      }
    }
    const ok = String(op.status ?? 200);
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      security: [{ bearer: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body, 'input') } } } } : {}),
      responses: {
        [ok]: op.response ? { description: 'OK', content: { 'application/json': { schema: schema(op.response, 'output') } } } : { description: 'No content' },
        default: { description: 'Error', content: { 'application/json': { schema: schema(contract.ApiErrorSchema, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Roles and release approvals. Authenticate with "Authorization: Bearer <API key or personal token>".' },
    servers: [{ url: contract.API_PREFIX }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
