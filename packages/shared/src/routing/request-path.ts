/**
 * The request path as Istio's proxies see it before routing and authorization (Istio's default
 * path normalization, BASE, as its "Authorization Policy Normalization" reference documents it):
 *   1. percent-encoded unreserved characters are decoded once (`%2D` `-`, `%2E` `.`, digits,
 *      letters, `%5F` `_`, `%7E` `~`); `%2F` and `%5C` stay encoded (DECODE_AND_MERGE_SLASHES only);
 *   2. a backslash is a forward slash;
 *   3. `.` and `..` segments are resolved per RFC 3986 §5.2.4, never above the root.
 * `%00` is refused outright (see {@link isRejectedRequestPath}). The query and fragment are kept
 * as they are. Paths that need nothing are returned as given.
 */
export function normalizeRequestPath(raw: string): string {
  if (raw.charCodeAt(0) !== 47 /* / */) return raw;
  let end = raw.indexOf('?');
  const fragment = raw.indexOf('#');
  if (fragment !== -1 && (end === -1 || fragment < end)) end = fragment;
  const path = end === -1 ? raw : raw.slice(0, end);
  if (path.indexOf('%') === -1 && path.indexOf('\\') === -1 && path.indexOf('/.') === -1) return raw;
  const decoded = decodeUnreserved(path).replaceAll('\\', '/');
  const resolved = decoded.indexOf('/.') === -1 ? decoded : resolveDotSegments(decoded);
  if (resolved === path) return raw;
  return resolved + (end === -1 ? '' : raw.slice(end));
}

/** A path with an encoded NUL: Istio answers such a request 400 whatever the policies say. */
export function isRejectedRequestPath(raw: string): boolean {
  const percent = raw.indexOf('%');
  if (percent === -1) return false;
  let end = raw.indexOf('?');
  if (end === -1) end = raw.length;
  return /%00/.test(raw.slice(percent, end));
}

/** The unreserved characters of RFC 3986, which decode to the same resource encoded or not. */
function isUnreserved(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x7e
  );
}

/** One pass, so `%252E` becomes `%2E` and no further: no double decoding. */
function decodeUnreserved(path: string): string {
  if (path.indexOf('%') === -1) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (encoded, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return isUnreserved(code) ? String.fromCharCode(code) : encoded;
  });
}

function resolveDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '.' || segment === '..') {
      // `out[0]` is the empty segment before the leading slash: never climb above the root.
      if (segment === '..' && out.length > 1) out.pop();
      if (i === last) out.push('');
      continue;
    }
    out.push(segment);
  }
  return out.length === 1 ? '/' : out.join('/');
}
