import type { PathModifier } from './types';

function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return end === path.length ? path : path.slice(0, end);
}

/**
 * ReplacePrefixMatch on a path without query: the matched prefix, taken element-wise and
 * ignoring trailing slashes, is replaced. Per the spec's table: `/foo/bar` with prefix `/foo`
 * and replacement `/xyz` or `/xyz/` → `/xyz/bar`; `/foo` → `/xyz`; `/foo/` → `/xyz/`;
 * replacement `` or `/` turns `/foo/bar` into `/bar` and `/foo` into `/`.
 */
export function replacePathPrefix(path: string, prefix: string, replacement: string): string {
  const matched = withoutTrailingSlashes(prefix);
  if (!path.startsWith(matched)) return path;
  const rest = path.slice(matched.length);
  if (rest !== '' && rest.charCodeAt(0) !== 47) return path;
  const replaced = withoutTrailingSlashes(replacement) + rest;
  return replaced === '' ? '/' : replaced;
}

/**
 * Applies a path modifier to a request path, keeping its query string. `matchedPrefix` is the
 * PathPrefix value of the route that matched (ReplacePrefixMatch needs it; `/` when absent).
 */
export function modifyPath(pathWithQuery: string, modifier: PathModifier, matchedPrefix: string | undefined): string {
  const q = pathWithQuery.indexOf('?');
  const path = q < 0 ? pathWithQuery : pathWithQuery.slice(0, q);
  const query = q < 0 ? '' : pathWithQuery.slice(q);
  const modified = modifier.type === 'ReplaceFullPath' ? modifier.value : replacePathPrefix(path, matchedPrefix ?? '/', modifier.value);
  return modified + query;
}
