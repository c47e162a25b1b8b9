/** Roles nest as in the BFF: viewer < operator < admin. The API enforces this; the console only hides what would be refused. */
const RANK: Record<string, number> = { viewer: 1, operator: 2, admin: 3 };

export function canMutate(role: string | undefined): boolean {
  return (RANK[role ?? ''] ?? 0) >= (RANK.operator ?? 2);
}
