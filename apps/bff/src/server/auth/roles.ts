import { z } from 'zod';

/** Who may do what: each role includes the ones before it. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleSchema = z.enum(ROLES);

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(granted: Role, required: Role): boolean {
  return RANK[granted] >= RANK[required];
}

export function isRole(value: string): value is Role {
  return value in RANK;
}
