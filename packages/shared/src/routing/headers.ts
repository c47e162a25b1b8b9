import type { HeaderRecord } from './match';

/** A header modifier as compiled or as written in an HTTPRoute (any name case). */
export interface HeaderModifierSpec {
  readonly set?: readonly { readonly name: string; readonly value: string }[];
  readonly add?: readonly { readonly name: string; readonly value: string }[];
  readonly remove?: readonly string[];
}

/**
 * Names a header filter never touches, even when a config slipped past validation: they frame the
 * message or belong to one hop (RFC 9110 §7.6.1, RFC 9113 §8.2.2), or are pseudo-headers. Host is
 * here too: the authority is the proxy's to set (a route rewrites it with URLRewrite hostname).
 */
const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
  'host',
]);

/** Whether a lower-case header name frames the message or belongs to one hop, so a header filter must leave it alone. */
export function isFramingHeader(name: string): boolean {
  return name.charCodeAt(0) === 58 /* : */ || FRAMING_HEADERS.has(name);
}

/**
 * Applies a header modifier to headers with lowercase names and returns the result; the input
 * is left untouched. Names compare case-insensitively. As Envoy (HeaderParser::evaluateHeaders),
 * `remove` goes first, then `set` replaces every value of a name and `add` appends a value after
 * the existing ones. Framing and hop-by-hop names (`isFramingHeader`) are skipped.
 */
function applyHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  const out: HeaderRecord = { ...headers };
  if (modifier.remove) {
    for (const raw of modifier.remove) {
      const name = raw.toLowerCase();
      if (!isFramingHeader(name)) delete out[name];
    }
  }
  if (modifier.set) {
    for (const h of modifier.set) {
      const name = h.name.toLowerCase();
      if (!isFramingHeader(name)) out[name] = h.value;
    }
  }
  if (modifier.add) {
    for (const h of modifier.add) {
      const name = h.name.toLowerCase();
      if (isFramingHeader(name)) continue;
      const existing = out[name];
      out[name] = existing === undefined ? h.value : typeof existing === 'string' ? [existing, h.value] : [...existing, h.value];
    }
  }
  return out;
}

/** RequestHeaderModifier: the headers to send to the backend. */
export function applyRequestHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  return applyHeaderModifier(headers, modifier);
}

/** ResponseHeaderModifier: the headers to send back to the client. */
export function applyResponseHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  return applyHeaderModifier(headers, modifier);
}
