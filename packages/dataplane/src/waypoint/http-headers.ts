/**
 * Headers across the proxy: hop-by-hop headers (RFC 9110 §7.6.1) and HTTP/2 pseudo-headers stay
 * on their own hop; everything else is forwarded. Names are lower case, as Node delivers them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRecord } from '@ambit/shared/routing';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'http2-settings',
  'host',
]);

/** `te: trailers` is the one TE value HTTP/2 allows, and gRPC needs it end to end. */
function keepTe(value: string | string[] | undefined): boolean {
  return value === 'trailers';
}

function namedByConnection(headers: IncomingHttpHeaders): Set<string> | undefined {
  const connection = headers.connection;
  if (connection === undefined) return undefined;
  const names = new Set<string>();
  for (const part of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = part.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') names.add(name);
  }
  return names;
}

/** The request headers to send upstream, without hop-by-hop ones, pseudo-headers and Host (set separately). */
export function forwardedRequestHeaders(headers: IncomingHttpHeaders): HeaderRecord {
  const out: HeaderRecord = {};
  const extra = namedByConnection(headers);
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* : */ || (HOP_BY_HOP.has(name) && !(name === 'te' && keepTe(headers.te)))) continue;
    if (extra?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

/** The response headers to send downstream (HTTP/1.1 or HTTP/2 alike). */
export function forwardedResponseHeaders(headers: IncomingHttpHeaders): HeaderRecord {
  const out: HeaderRecord = {};
  const extra = namedByConnection(headers);
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 || HOP_BY_HOP.has(name) || extra?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

/** The first value of a header. */
export function headerValue(headers: HeaderRecord | IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
}
