import { hostWithoutPort, portOfAuthority } from './hostname';
import { modifyPath } from './path-modifier';
import type { RequestRedirect, UrlRewrite } from './types';

export interface RedirectRequest {
  scheme: 'http' | 'https';
  /** Host or :authority as received, possibly with a port. */
  host: string;
  /** Path with query. */
  path: string;
  /** The port the request arrived on: the listener port, or the Service port for a waypoint. */
  port?: number;
}

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

/**
 * RequestRedirect: the status and Location to answer with. Scheme, hostname and path default to
 * the request's. Port: the filter's, else the well-known port of a scheme the filter sets, else
 * the port the request arrived on; it is left out of Location when it is the scheme's default.
 */
export function computeRedirect(
  request: RedirectRequest,
  redirect: RequestRedirect,
  matchedPrefix: string | undefined,
): { status: number; location: string } {
  const scheme = redirect.scheme ?? request.scheme;
  const hostname = redirect.hostname ?? hostWithoutPort(request.host);
  const port =
    redirect.port ??
    (redirect.scheme !== undefined
      ? WELL_KNOWN_PORT[redirect.scheme]
      : (request.port ?? portOfAuthority(request.host) ?? WELL_KNOWN_PORT[scheme]));
  const path = redirect.path ? modifyPath(request.path, redirect.path, matchedPrefix) : request.path;
  const portPart = port === WELL_KNOWN_PORT[scheme] ? '' : `:${port}`;
  return { status: redirect.statusCode, location: `${scheme}://${hostname}${portPart}${path}` };
}

/**
 * URLRewrite: the path (query kept) and Host to forward with. `host` is the request's Host,
 * forwarded unchanged unless the filter sets a hostname.
 */
export function rewriteUrl(
  request: { path: string; host: string },
  rewrite: UrlRewrite,
  matchedPrefix: string | undefined,
): { path: string; host: string } {
  return {
    path: rewrite.path ? modifyPath(request.path, rewrite.path, matchedPrefix) : request.path,
    host: rewrite.hostname ?? request.host,
  };
}
