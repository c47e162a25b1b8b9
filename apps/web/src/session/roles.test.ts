import { describe, expect, it } from 'vitest';
import { canMutate } from './roles';

describe('canMutate', () => {
  it('hides mutation controls from viewers and unknown roles, shows them to operators and admins', () => {
    expect(canMutate('viewer')).toBe(false);
    expect(canMutate(undefined)).toBe(false);
    expect(canMutate('operator')).toBe(true);
    expect(canMutate('admin')).toBe(true);
  });
});
