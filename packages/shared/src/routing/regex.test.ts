import { describe, expect, it } from 'vitest';
import { compileFullMatchRegex, regexProblem } from './regex';

describe('RE2 regular expressions', () => {
  it('match the whole value, not a part of it', () => {
    const re = compileFullMatchRegex('/v[0-9]+');
    expect(re.test('/v12')).toBe(true);
    expect(re.test('/v12/x')).toBe(false);
    expect(re.test('/api/v12')).toBe(false);
  });

  it('keep alternation inside the anchors', () => {
    const re = compileFullMatchRegex('/a|/b');
    expect(re.test('/a')).toBe(true);
    expect(re.test('/b')).toBe(true);
    expect(re.test('/a/x')).toBe(false);
  });

  it('translate RE2-only syntax: named groups, leading flags, POSIX classes, \\A \\z \\Q…\\E', () => {
    expect(compileFullMatchRegex('(?P<ver>v[0-9])').test('v1')).toBe(true);
    expect(compileFullMatchRegex('(?i)/Users').test('/USERS')).toBe(true);
    expect(compileFullMatchRegex('(?s)a.b').test('a\nb')).toBe(true);
    expect(compileFullMatchRegex('[[:digit:]]+-[[:alpha:]_]+').test('42-ab_c')).toBe(true);
    expect(compileFullMatchRegex('\\A/x\\z').test('/x')).toBe(true);
    expect(compileFullMatchRegex('\\Q/a.b+\\E').test('/a.b+')).toBe(true);
    expect(compileFullMatchRegex('\\Q/a.b+\\E').test('/aXbb')).toBe(false);
    expect(compileFullMatchRegex('[]a]+').test(']a]')).toBe(true);
  });

  it.each([
    ['(?=/a)/a', 'lookaround'],
    ['(?<!x)y', 'lookaround'],
    ['(a)\\1', 'backreferences'],
    ['\\p{Greek}', 'Unicode classes'],
    ['a(?i)b', 'inline flags'],
    ['[[:^alpha:]]', 'negated POSIX class'],
    ['[[:nope:]]', 'unknown POSIX class'],
    ['(unclosed', 'Unterminated group'],
  ])('reject %j as not RE2 or not translatable (%s)', (pattern, why) => {
    expect(regexProblem(pattern)).toContain(why);
    expect(() => compileFullMatchRegex(pattern)).toThrow(why);
  });

  it('accept valid patterns without a problem', () => {
    expect(regexProblem('/api/v[0-9]+/.*')).toBeUndefined();
  });
});
