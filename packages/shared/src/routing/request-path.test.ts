import { describe, expect, it } from 'vitest';
import { isRejectedRequestPath, normalizeRequestPath } from './request-path';

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

  it("decodes the unreserved characters once, as Istio's normalization table says, and leaves %2F and %5C encoded", () => {
    // Istio's own example: /some%2fdata/%61%62%63 → /some%2fdata/abc under BASE (the slash is decoded only by DECODE_AND_MERGE_SLASHES).
    expect(normalizeRequestPath('/some%2fdata/%61%62%63')).toBe('/some%2fdata/abc');
    expect(normalizeRequestPath('/%61dmin')).toBe('/admin');
    expect(normalizeRequestPath('/adm%69n?x=%61')).toBe('/admin?x=%61');
    expect(normalizeRequestPath('/a%2Db%5Fc%7Ed%30')).toBe('/a-b_c~d0');
    expect(normalizeRequestPath('/a%5Cb')).toBe('/a%5Cb');
    expect(normalizeRequestPath('/a%20b')).toBe('/a%20b');
    expect(normalizeRequestPath('/%252E%252E/admin')).toBe('/%252E%252E/admin');
  });

  it('turns backslashes into slashes before resolving dot segments', () => {
    expect(normalizeRequestPath('/some\\data')).toBe('/some/data');
    expect(normalizeRequestPath('/public\\..\\admin')).toBe('/admin');
  });

  it('refuses an encoded NUL in the path, not in the query', () => {
    expect(isRejectedRequestPath('/a%00b')).toBe(true);
    expect(isRejectedRequestPath('/a%00')).toBe(true);
    expect(isRejectedRequestPath('/a?b=%00')).toBe(false);
    expect(isRejectedRequestPath('/a%20b')).toBe(false);
  });
});
