import { z } from 'zod';

/** Passwords people choose: long enough to resist guessing, bounded so hashing stays cheap to refuse. */
export const newPassword = z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters');

/** Usernames: short, lowercase, safe in logs and URLs. */
export const username = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/,
    'must be lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  );
