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

// Node keeps the first of these when a message repeats them (its IncomingMessage.headers rules).
const SINGLE_VALUED = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/** `te: trailers` is the one TE value HTTP/2 allows, and gRPC needs it end to end. */
function keepTe(value: string | string[] | undefined): boolean {
  return value === 'trailers';
}

function namedByConnection(headers: HeaderRecord | IncomingHttpHeaders): Set<string> | undefined {
  const connection = headers.connection;
  // The usual values name no other header: no set to build.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
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
export function forwardedResponseHeaders(headers: HeaderRecord | IncomingHttpHeaders): HeaderRecord {
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

/**
 * A request's raw header lines (`[name, value, name, value, …]`, as the parser hands them over) as
 * a record with lower-case names, repeated headers combined: `set-cookie` as a list, `cookie` joined
 * by `; `, single-valued ones keeping the first (as Node does), others joined by `,` without a space
 * — what the shared route matcher and authorization evaluator (and Envoy) match a repeated header
 * against. Forwarded that way too, as one line, which RFC 9110 §5.3 allows.
 */
export function headerRecordOf(raw: readonly string[]): HeaderRecord {
  return combinedHeaders(raw, ',');
}

/** A response's or trailer block's raw header lines as a record, repeated headers combined as Node combines them (`, `). */
export function responseHeaderRecordOf(raw: readonly string[]): HeaderRecord {
  return combinedHeaders(raw, ', ');
}

function combinedHeaders(raw: readonly string[], separator: string): HeaderRecord {
  const out: HeaderRecord = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const seen = out[name];
    if (seen === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else if (name === 'cookie') out[name] = `${seen}; ${value}`;
    else if (!SINGLE_VALUED.has(name)) out[name] = seen + separator + value;
  }
  return out;
}

/**
 * Node's HTTP/2 header object joins a repeated header with `, `; this rejoins such headers from the
 * raw lines the way headerRecordOf does, in place. Costs a key count per request; rebuilds only
 * when some header came more than once.
 */
export function rejoinRepeatedHeaders(headers: IncomingHttpHeaders, raw: readonly string[]): void {
  let count = 0;
  for (const _ in headers) count++;
  if (count * 2 === raw.length) return;
  const joined = headerRecordOf(raw);
  for (const name in joined) {
    if (name !== 'set-cookie' && name !== 'cookie') headers[name] = joined[name];
  }
}
