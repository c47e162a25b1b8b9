import { describe, expect, it } from 'vitest';
import { matchPathTemplate, pathTemplateProblem, preparePathTemplate } from './path-template';

// Examples from the `paths` field of Istio's AuthorizationPolicy reference.
const matches = (template: string, path: string) => matchPathTemplate(preparePathTemplate(template), path, path.length);

describe('path templates', () => {
  it.each([
    ['/foo/{*}', '/foo/bar', true],
    ['/foo/{*}', '/foo/bar/baz', false],
    ['/foo/{*}', '/foo/', false],
    ['/foo/{**}/', '/foo/bar/', true],
    ['/foo/{**}/', '/foo//', true],
    ['/foo/{**}/', '/foo/bar', false],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/baz', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/baz/bar', false],
    ['/foo/{**}/bar', '/foo/a/b/c/bar', true],
    ['/foo/{**}/bar', '/foo/bar', false],
    ['/{**}', '/', true],
    ['/{*}/foo', '/x/foo', true],
    ['/{*}/foo', '//foo', false],
  ])('%s against %s: %s', (template, path, expected) => {
    expect(matches(template, path)).toBe(expected);
  });

  it('matches only up to the given end (the query string is not part of the path)', () => {
    const path = '/foo/bar?x=/y';
    expect(matchPathTemplate(preparePathTemplate('/foo/{*}'), path, path.indexOf('?'))).toBe(true);
  });

  it.each(['/*/baz/{*}', '/**/baz/{*}', '/{**}/foo/{*}', '/foo/{*}.txt', '/foo/{**}buzz/bar', '/{*}/foo/{}/bar'])(
    'rejects %s',
    (template) => {
      expect(pathTemplateProblem(template)).toBeDefined();
    },
  );

  it.each(['/{*}/foo', '/{*}/foo/', '/foo/{**}/bar', '/foo/bar/{**}'])('accepts %s', (template) => {
    expect(pathTemplateProblem(template)).toBeUndefined();
  });
});
