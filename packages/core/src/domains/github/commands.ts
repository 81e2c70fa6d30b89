import { z } from 'zod';
import { GithubReviewStateSchema, IdSchema, RepositoryNameSchema } from '../../schemas.js';

/** Inputs of the GitHub deployment-review commands, validated at the core's boundary. */

/** A `deployment_protection_rule` (action `requested`) webhook, reduced to what Gatehouse keeps. */
export const RequestGithubReviewInput = z.object({
  repository: RepositoryNameSchema,
  environmentName: z.string().trim().min(1).max(255),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/i, 'a commit sha is 7-64 hex digits'),
  ref: z.string().max(255).default(''),
  runId: z.number().int().positive(),
  callbackUrl: z.url().max(2000),
  installationId: z.number().int().positive(),
  deploymentId: z.number().int().nullable().default(null),
  event: z.string().max(100).nullable().default(null),
  deliveryId: z.string().trim().min(1).max(100),
});

/** An instance claims (or renews its claim on) the callback of a review; only the system does. */
export const ClaimGithubCallbackInput = z.object({
  reviewId: IdSchema,
  /** The answer for a first claim; a renewal or take-over keeps the first claim's. */
  state: GithubReviewStateSchema,
  comment: z.string().min(1).max(4000),
  instance: z.string().min(1).max(100),
  leaseMs: z.number().int().positive(),
  attempts: z.number().int().nonnegative().default(0),
});

/** How a callback ended: GitHub accepted it (2xx), or refused it for good. */
export const RecordGithubCallbackInput = z.object({
  reviewId: IdSchema,
  instance: z.string().min(1).max(100),
  outcome: z.enum(['sent', 'failed']),
  attempts: z.number().int().positive(),
  status: z.number().int().nullable(),
  error: z.string().max(1000).nullable().default(null),
});
