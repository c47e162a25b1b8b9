import type { IpBlock } from './types';

/**
 * IPv4 and IPv6 addresses and CIDR blocks without regular expressions or per-call allocation:
 * addresses parse into 32-bit words (one for IPv4, four for IPv6) and blocks precompute their
 * masked words once. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as dual-stack sockets
 * report IPv4 peers) are treated as the IPv4 address they carry.
 */

/** A parsed address: family 4 uses `words[0]`, family 6 all four words. `family` 0 means unparsable. */
export interface ParsedIp {
  family: 0 | 4 | 6;
  readonly words: Uint32Array;
}

export interface PreparedCidr {
  readonly family: 4 | 6;
  readonly base: Uint32Array;
  readonly mask: Uint32Array;
}

const DOT = 46;
const COLON = 58;

// Scratch space for IPv6 groups; parsing is synchronous, so one buffer serves every call.
const groups = new Uint16Array(8);

export function newParsedIp(): ParsedIp {
  return { family: 0, words: new Uint32Array(4) };
}

/** Parses `text` (optionally `[start, end)`) into `out`; returns false and sets family 0 if it is not an address. */
export function parseIpInto(text: string, out: ParsedIp, start = 0, end = text.length): boolean {
  const zone = text.indexOf('%', start);
  if (zone !== -1 && zone < end) end = zone;
  out.family = 0;
  const colon = text.indexOf(':', start);
  if (colon !== -1 && colon < end) {
    if (!parseIpv6(text, start, end, out.words)) return false;
    const w = out.words;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) {
      w[0] = w[3] as number;
      out.family = 4;
    } else {
      out.family = 6;
    }
    return true;
  }
  const v4 = parseIpv4(text, start, end);
  if (v4 < 0) return false;
  out.words[0] = v4;
  out.family = 4;
  return true;
}

function parseIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (i <= end) {
    let octet = 0;
    let digits = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      // No leading zeros: "010" is ambiguous (octal in some parsers), so it is rejected.
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === end) break;
    if (text.charCodeAt(i) !== DOT || octets === 4) return -1;
    i++;
  }
  return octets === 4 ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseIpv6(text: string, start: number, end: number, out: Uint32Array): boolean {
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    let value = 0;
    let digits = 0;
    let j = i;
    while (j < end) {
      const h = hexDigit(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      j++;
    }
    if (j < end && text.charCodeAt(j) === DOT) {
      // Embedded IPv4 in the last 32 bits.
      if (count > 6) return false;
      const v4 = parseIpv4(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    groups[count++] = value;
    if (j === end) {
      i = j;
      break;
    }
    if (text.charCodeAt(j) !== COLON) return false;
    j++;
    if (j < end && text.charCodeAt(j) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      j++;
    } else if (j === end) {
      return false;
    }
    i = j;
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  out.fill(0);
  const zeros = 8 - count;
  let pos = 0;
  for (let k = 0; k < count; k++) {
    if (k === gap) pos += zeros;
    const g = groups[k] as number;
    const word = pos >> 1;
    out[word] = (pos & 1) === 0 ? ((out[word] as number) | (g << 16)) >>> 0 : ((out[word] as number) | g) >>> 0;
    pos++;
  }
  return true;
}

function maskWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

const scratch = newParsedIp();

/**
 * Parses an Istio IP block: a single address (`10.1.2.3`, `2001:db8::1`) or a CIDR
 * (`10.0.0.0/8`, `2001:db8::/32`). Host bits are cleared, as Envoy does. Undefined if invalid.
 */
export function parseIpBlock(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const end = slash === -1 ? text.length : slash;
  if (text.indexOf('%') !== -1) return undefined;
  if (!parseIpInto(text, scratch, 0, end)) return undefined;
  let length: number;
  const wasMapped = scratch.family === 4 && text.indexOf(':') !== -1;
  if (slash === -1) {
    length = scratch.family === 4 ? 32 : 128;
  } else {
    const digits = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits)) return undefined;
    length = Number(digits);
    if (wasMapped) {
      // ::ffff:a.b.c.d/n covers IPv4 addresses only when the prefix reaches into the last 32 bits.
      if (length < 96 || length > 128) return undefined;
      length -= 96;
    } else if (length > (scratch.family === 4 ? 32 : 128)) {
      return undefined;
    }
  }
  const words = scratch.family === 4 ? 1 : 4;
  const bytes = new Uint8Array(words * 4);
  for (let k = 0; k < words; k++) {
    const w = ((scratch.words[k] as number) & maskWord(length - 32 * k)) >>> 0;
    bytes[k * 4] = w >>> 24;
    bytes[k * 4 + 1] = (w >>> 16) & 0xff;
    bytes[k * 4 + 2] = (w >>> 8) & 0xff;
    bytes[k * 4 + 3] = w & 0xff;
  }
  return { address: ipAddressText(bytes), length };
}

export function prepareCidr(block: IpBlock): PreparedCidr | undefined {
  const ip = newParsedIp();
  if (!parseIpInto(block.address, ip) || ip.family === 0) return undefined;
  const family = ip.family;
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(block.length) || block.length < 0 || block.length > max) return undefined;
  const base = new Uint32Array(4);
  const mask = new Uint32Array(4);
  for (let k = 0; k < (family === 4 ? 1 : 4); k++) {
    mask[k] = maskWord(block.length - 32 * k);
    base[k] = ((ip.words[k] as number) & (mask[k] as number)) >>> 0;
  }
  return { family, base, mask };
}

export function cidrContains(cidr: PreparedCidr, ip: ParsedIp): boolean {
  if (ip.family === 0 || cidr.family !== ip.family) return false;
  const n = ip.family === 4 ? 1 : 4;
  for (let k = 0; k < n; k++) {
    if (((ip.words[k] as number) & (cidr.mask[k] as number)) >>> 0 !== cidr.base[k]) return false;
  }
  return true;
}

export function anyCidr(list: readonly PreparedCidr[], ip: ParsedIp): boolean {
  for (let i = 0; i < list.length; i++) {
    if (cidrContains(list[i] as PreparedCidr, ip)) return true;
  }
  return false;
}

/** The 4 or 16 bytes of an address, as the workload API's `Address.address` carries it; undefined if invalid. */
export function ipAddressBytes(text: string): Uint8Array | undefined {
  const ip = newParsedIp();
  if (!parseIpInto(text, ip)) return undefined;
  const n = ip.family === 4 ? 1 : 4;
  const bytes = new Uint8Array(n * 4);
  for (let k = 0; k < n; k++) {
    const w = ip.words[k] as number;
    bytes[k * 4] = w >>> 24;
    bytes[k * 4 + 1] = (w >>> 16) & 0xff;
    bytes[k * 4 + 2] = (w >>> 8) & 0xff;
    bytes[k * 4 + 3] = w & 0xff;
  }
  return bytes;
}

/** Text of a 4- or 16-byte address: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function ipAddressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push(((bytes[k * 2] as number) << 8) | (bytes[k * 2 + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let len = 0;
    while (k + len < 8 && g[k + len] === 0) len++;
    if (len > bestLen) {
      bestStart = k;
      bestLen = len;
    }
    k += len;
  }
  const hex = (from: number, to: number) =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestLen < 2) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** `address/length`, as a policy writes it. */
export function formatIpBlock(block: IpBlock): string {
  return `${block.address}/${block.length}`;
}
