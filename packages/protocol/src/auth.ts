import { z } from 'zod';
import { clientBody } from './clientBody.js';

/** Accounts and sign-in (SPEC §7): request bodies and answers, shared by the server and the UI. */

export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(32, 'must be at most 32 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');

export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const registerBodySchema = clientBody({
  username: usernameSchema,
  password: passwordSchema,
  email: z.string().email('must be an email address').nullable().optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = clientBody({
  username: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

/** Profile changes; a new password needs the current one. */
export const updateProfileBodySchema = clientBody({
  email: z.string().email('must be an email address').nullable().optional(),
  current_password: z.string().max(256).optional(),
  new_password: passwordSchema.optional(),
});
export type UpdateProfileBody = z.infer<typeof updateProfileBodySchema>;

export const changePasswordBodySchema = clientBody({
  current_password: z.string().max(256),
  new_password: passwordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const adminUpdateUserBodySchema = clientBody({
  is_active: z.boolean().optional(),
  role: z.enum(['user', 'admin']).optional(),
});
export type AdminUpdateUserBody = z.infer<typeof adminUpdateUserBodySchema>;
