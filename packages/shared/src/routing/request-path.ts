/**
 * The request path as Istio's proxies see it before routing and authorization: Envoy's
 * `normalize_path` (Istio's default path normalization, BASE) resolves `.` and `..` segments per
 * RFC 3986 §5.2.4, decoding `%2E` first, so `/public/../admin` is authorized and routed as `/admin`.
 * The query and fragment are kept as they are. Paths that need nothing are returned as given.
 */
export function normalizeRequestPath(raw: string): string {
  if (raw.charCodeAt(0) !== 47 /* / */ || (raw.indexOf('/.') === -1 && raw.indexOf('%2') === -1)) return raw;
  let end = raw.indexOf('?');
  const fragment = raw.indexOf('#');
  if (fragment !== -1 && (end === -1 || fragment < end)) end = fragment;
  const path = end === -1 ? raw : raw.slice(0, end);
  const decoded = path.replace(/%2e/gi, '.');
  if (decoded.indexOf('/.') === -1) return decoded === path ? raw : decoded + (end === -1 ? '' : raw.slice(end));
  const segments = decoded.split('/');
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
  const normalized = out.length === 1 ? '/' : out.join('/');
  return normalized + (end === -1 ? '' : raw.slice(end));
}
