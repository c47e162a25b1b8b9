import { randomFillSync } from 'node:crypto';
import { isIPv6 } from 'node:net';

/**
 * What an HBONE CONNECT carries besides the target: `:authority` = `ip:port`, `forwarded` with the
 * original client and the service host, W3C `baggage` describing the source workload, and a
 * `traceparent`.
 */

export interface TunnelTarget {
  ip: string;
  port: number;
}

/** `ip:port`, with IPv6 in brackets. */
export function formatAuthority(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `ip:port` → target; undefined unless the host is an IP literal and the port is 1-65535. */
export function parseAuthority(value: string | undefined): TunnelTarget | undefined {
  if (value === undefined) return undefined;
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let ip = value.slice(0, colon);
  if (ip.charCodeAt(0) === 91 /* [ */) {
    if (ip.charCodeAt(ip.length - 1) !== 93 /* ] */) return undefined;
    ip = ip.slice(1, -1);
    if (!isIPv6(ip)) return undefined;
  } else if (!isIPv4Literal(ip)) {
    return undefined;
  }
  const port = parsePort(value, colon + 1);
  return port === 0 ? undefined : { ip, port };
}

function parsePort(value: string, from: number): number {
  if (from >= value.length || value.length - from > 5) return 0;
  let port = 0;
  for (let i = from; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return 0;
    port = port * 10 + digit;
  }
  return port <= 65535 ? port : 0;
}

function isIPv4Literal(value: string): boolean {
  let parts = 0;
  let digits = 0;
  let octet = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i === value.length ? 46 : value.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || octet > 255) return false;
      parts++;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** `for="<ip:port>";host=<hostname>` (RFC 7239); the host part only when a service was dialed. */
export function formatForwarded(clientIp: string, clientPort: number, host: string | undefined): string {
  const client = formatAuthority(clientIp, clientPort);
  return host ? `for="${client}";host=${host}` : `for="${client}"`;
}

/** The `for=` node of a `forwarded` header's first element (quotes removed), e.g. `10.0.0.1:5555`. */
export function forwardedFor(value: string | undefined): string | undefined {
  return forwardedParameter(value, 'for=');
}

/** The `host=` of a `forwarded` header's first element: the service the client dialed. */
export function forwardedHost(value: string | undefined): string | undefined {
  return forwardedParameter(value, 'host=');
}

function forwardedParameter(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const comma = value.indexOf(',');
  const first = comma === -1 ? value.length : comma;
  let at = value.indexOf(name);
  while (at > 0 && value.charCodeAt(at - 1) !== 59 /* ; */ && value.charCodeAt(at - 1) !== 32) at = value.indexOf(name, at + 1);
  if (at === -1 || at >= first) return undefined;
  let start = at + name.length;
  let end = value.indexOf(';', start);
  if (end === -1 || end > first) end = first;
  if (value.charCodeAt(start) === 34 /* " */ && value.charCodeAt(end - 1) === 34) {
    start++;
    end--;
  }
  return start < end ? value.slice(start, end) : undefined;
}

export interface BaggageSource {
  namespace: string;
  workloadName: string;
  canonicalName: string;
  canonicalRevision: string;
  clusterId?: string;
}

/** The W3C baggage Istio's proxies send about the source workload. */
export function formatBaggage(w: BaggageSource): string {
  const cluster = w.clusterId ? `k8s.cluster.name=${w.clusterId},` : '';
  return `${cluster}k8s.namespace.name=${w.namespace},k8s.deployment.name=${w.workloadName},service.name=${w.canonicalName},service.version=${w.canonicalRevision}`;
}

/** `key=value` members of a baggage header (properties after `;` dropped). */
export function parseBaggage(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const member of value.split(',')) {
    const semicolon = member.indexOf(';');
    const pair = semicolon === -1 ? member : member.slice(0, semicolon);
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    out.set(pair.slice(0, eq).trim(), decodeURIComponent(pair.slice(eq + 1).trim()));
  }
  return out;
}

// Random ids come from one refilled buffer, not one allocation per connection.
const RANDOM_POOL = Buffer.allocUnsafe(24 * 256);
let randomOffset = RANDOM_POOL.length;

/** A fresh W3C `traceparent` (version 00, not sampled). */
export function newTraceparent(): string {
  if (randomOffset + 24 > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const traceId = RANDOM_POOL.toString('hex', randomOffset, randomOffset + 16);
  const spanId = RANDOM_POOL.toString('hex', randomOffset + 16, randomOffset + 24);
  randomOffset += 24;
  return `00-${traceId}-${spanId}-00`;
}
