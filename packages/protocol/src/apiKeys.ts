import { z } from 'zod';
import { clientBody } from './clientBody.js';

/** API keys for the OpenAI-compatible API (`/v1`): request bodies and answers. */

export const createApiKeyBodySchema = clientBody({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

const timestamp = z.string();

/** A key as listed: never the key itself, only its first characters. */
export const apiApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** `nck_` and the key's next 8 characters. */
  prefix: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
});
export type ApiApiKey = z.infer<typeof apiApiKeySchema>;

/** The answer to creating a key: the only time `key` is shown. */
export const apiCreatedApiKeySchema = apiApiKeySchema.extend({ key: z.string() });
export type ApiCreatedApiKey = z.infer<typeof apiCreatedApiKeySchema>;

/** A key in the administrators' list, with its owner. */
export const apiAdminApiKeySchema = apiApiKeySchema.extend({ user_id: z.string(), username: z.string() });
export type ApiAdminApiKey = z.infer<typeof apiAdminApiKeySchema>;
