import { describe, expect, it } from 'vitest';
import { normalizeRequestPath } from './request-path';

describe('normalizeRequestPath (Envoy normalize_path, Istio BASE)', () => {
  it('resolves dot segments, never above the root, and keeps the query', () => {
    expect(normalizeRequestPath('/public/../admin')).toBe('/admin');
    expect(normalizeRequestPath('/a/./b/../c?x=/../y')).toBe('/a/c?x=/../y');
    expect(normalizeRequestPath('/../../etc')).toBe('/etc');
    expect(normalizeRequestPath('/a/..')).toBe('/');
    expect(normalizeRequestPath('/a/.')).toBe('/a/');
    expect(normalizeRequestPath('/..')).toBe('/');
  });

  it('decodes %2E before resolving, so encoded dots cannot slip past a path rule', () => {
    expect(normalizeRequestPath('/public/%2e%2E/admin')).toBe('/admin');
    expect(normalizeRequestPath('/file%2Etxt')).toBe('/file.txt');
  });

  it('returns ordinary paths (and non-origin forms) unchanged', () => {
    const path = '/reviews/0?x=1';
    expect(normalizeRequestPath(path)).toBe(path);
    expect(normalizeRequestPath('/a.b/.hidden')).toBe('/a.b/.hidden');
    expect(normalizeRequestPath('*')).toBe('*');
    expect(normalizeRequestPath('/%2Fx')).toBe('/%2Fx');
  });
});
