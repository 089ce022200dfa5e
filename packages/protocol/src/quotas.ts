import { z } from 'zod';
import { clientBody } from './clientBody.js';

/** Per-user quotas (issue 17): what an administrator sets, and use against limits. */

export const quotaKindSchema = z.enum(['tokens_per_day', 'tokens_per_month', 'requests_per_minute']);
export type QuotaKind = z.infer<typeof quotaKindSchema>;

const limitValue = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * `PUT /api/admin/users/:id/limits`: the user's own limits, replacing what was set. Per field: a
 * positive number = that limit, 0 = unlimited for this user, null or absent = the configured default.
 */
export const userLimitsBodySchema = clientBody({
  tokens_per_day: limitValue.optional(),
  tokens_per_month: limitValue.optional(),
  requests_per_minute: limitValue.optional(),
});
export type UserLimitsBody = z.infer<typeof userLimitsBodySchema>;

/** One limit and the use against it. */
export const apiQuotaUseSchema = z.object({
  kind: quotaKindSchema,
  /** The limit in force; null = unlimited. */
  limit: z.number().int().positive().nullable(),
  /** Used in the current window (tokens, or requests this minute). */
  used: z.number().int().nonnegative(),
  /** When the current window ends and the count starts again (ISO-8601 UTC). */
  resets_at: z.string(),
  /** Whether the limit is the configured default or the user's own. */
  source: z.enum(['default', 'user']),
});
export type ApiQuotaUse = z.infer<typeof apiQuotaUseSchema>;

/** `GET /api/stats/limits`: the signed-in user's use against their limits. */
export const apiOwnQuotaSchema = z.object({ limits: z.array(apiQuotaUseSchema) });
export type ApiOwnQuota = z.infer<typeof apiOwnQuotaSchema>;

/** What an administrator set for one user: null = the configured default, 0 = unlimited. */
export const apiLimitOverridesSchema = z.object({
  tokens_per_day: z.number().int().nonnegative().nullable(),
  tokens_per_month: z.number().int().nonnegative().nullable(),
  requests_per_minute: z.number().int().nonnegative().nullable(),
});

/** `GET|PUT /api/admin/users/:id/limits`, and each row of `GET /api/admin/limits`. */
export const apiUserQuotaSchema = z.object({
  user_id: z.string(),
  username: z.string(),
  overrides: apiLimitOverridesSchema,
  limits: z.array(apiQuotaUseSchema),
});
export type ApiUserQuota = z.infer<typeof apiUserQuotaSchema>;

/** `GET /api/admin/limits`: every user's use against their limits. */
export const apiAllQuotasSchema = z.object({ users: z.array(apiUserQuotaSchema) });
export type ApiAllQuotas = z.infer<typeof apiAllQuotasSchema>;
