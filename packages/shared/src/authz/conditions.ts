/**
 * The `when` keys of Istio's "Authorization Policy Conditions" reference, what each means, and
 * where it can be enforced. Keys Istio marks experimental (`experimental.envoy.filters.*`,
 * `request.experimental.inline.headers[...]`) have no equivalent in Ambit's proxies.
 */

export type ConditionAttribute =
  | 'source.ip'
  | 'remote.ip'
  | 'source.namespace'
  | 'source.principal'
  | 'source.serviceAccount'
  | 'request.auth.principal'
  | 'request.auth.audiences'
  | 'request.auth.presenter'
  | 'request.auth.claims'
  | 'request.headers'
  | 'destination.ip'
  | 'destination.port'
  | 'connection.sni';

export type ParsedConditionKey =
  | { attribute: ConditionAttribute; header?: string; claim?: string[] }
  | { unsupported: string }
  | { invalid: string };

/** Attributes a ztunnel sees on a connection: the peer identity, addresses and ports. */
const L4_ATTRIBUTES: ReadonlySet<ConditionAttribute> = new Set<ConditionAttribute>([
  'source.ip',
  'source.namespace',
  'source.principal',
  // Istio only documents the others; a service account is part of the peer identity, so ztunnel can check it.
  'source.serviceAccount',
  'destination.ip',
  'destination.port',
]);

const PLAIN: ReadonlySet<string> = new Set<ConditionAttribute>([
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.principal',
  'source.serviceAccount',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'destination.ip',
  'destination.port',
  'connection.sni',
]);

export function isL4Attribute(attribute: ConditionAttribute): boolean {
  return L4_ATTRIBUTES.has(attribute);
}

export function parseConditionKey(key: string): ParsedConditionKey {
  if (PLAIN.has(key)) return { attribute: key as ConditionAttribute };
  if (key.startsWith('request.headers')) {
    const names = bracketed(key.slice('request.headers'.length));
    if (names?.length !== 1) return { invalid: `"${key}" must name one header in brackets, like request.headers[User-Agent]` };
    return { attribute: 'request.headers', header: (names[0] as string).toLowerCase() };
  }
  if (key.startsWith('request.auth.claims')) {
    const claim = bracketed(key.slice('request.auth.claims'.length));
    if (!claim) return { invalid: `"${key}" must name a claim in brackets, like request.auth.claims[iss] or request.auth.claims[a][b]` };
    return { attribute: 'request.auth.claims', claim };
  }
  if (key.startsWith('experimental.') || key.startsWith('request.experimental.')) {
    return { unsupported: `"${key}" is an experimental Envoy-specific attribute that Ambit's proxies do not provide` };
  }
  return { unsupported: `"${key}" is not a known condition key` };
}

/** `[a][b]` → `['a', 'b']`; undefined unless the text is one or more non-empty bracketed names. */
function bracketed(text: string): string[] | undefined {
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '[') return undefined;
    const close = text.indexOf(']', i + 1);
    if (close === -1) return undefined;
    const name = text.slice(i + 1, close);
    if (name === '' || name.includes('[')) return undefined;
    names.push(name);
    i = close + 1;
  }
  return names.length > 0 ? names : undefined;
}
