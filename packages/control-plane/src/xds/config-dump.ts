// What the control plane last pushed to a proxy, decoded for people: per type URL the version sent
// and acknowledged and each resource as JSON (Envoy's JSON mapping; raw IP bytes as addresses).
// Nothing secret can appear: Ambit pushes no key material over xDS, and any `private_key` field a
// future resource might carry is replaced before it leaves this module. A delta stream's resources
// that the proxy declared it still held on reconnect (and so were not resent) are not in the dump.
import { isIP } from 'node:net';
import { type Any, decodeWaypointPolicy, envoySchemas, TypeUrl, workloadApiSchemas } from '@ambit/shared/xds';
import type { AdsConnection } from './ads-connection';
import { type TypeSyncSummary, typeSyncState } from './proxy-status';

export interface ConfigDumpResource {
  name: string;
  version: string;
  /** The resource as JSON, or why it could not be decoded. */
  resource: Record<string, unknown>;
  decodeError?: string;
}

export interface TypeConfigDump extends TypeSyncSummary {
  typeUrl: string;
  resources: ConfigDumpResource[];
}

export interface ProxyConfigDump {
  id: string;
  kind: string;
  node?: string;
  transport: string;
  connectionId: string;
  connectedAt: string;
  types: TypeConfigDump[];
}

const REDACTED = '[redacted]';
const SECRET_FIELD = /private_?key/i;
const ADDRESS_FIELD = /^(address|addresses)$/;

/** The config dump of one stream; `connection` is the proxy's newest stream. */
export function configDumpOf(connection: AdsConnection): ProxyConfigDump {
  const { status, types } = connection.sentResources();
  const sync = new Map(status.types.map((t) => [t.typeUrl, typeSyncState(t)]));
  return {
    id: status.id,
    kind: status.kind,
    ...(status.nodeName ? { node: status.nodeName } : {}),
    transport: status.transport,
    connectionId: status.connectionId,
    connectedAt: new Date(status.connectedAt).toISOString(),
    types: types
      .map(({ typeUrl, resources }) => ({
        ...(sync.get(typeUrl) as TypeSyncSummary),
        typeUrl,
        resources: resources.map(([name, entry]) => ({ name, version: entry.version, ...decodeResource(entry.resource) })),
      }))
      .sort((a, b) => (a.typeUrl < b.typeUrl ? -1 : a.typeUrl > b.typeUrl ? 1 : 0)),
  };
}

/** One Any as JSON, whichever schema set defines it. */
export function decodeResource(any: Any): { resource: Record<string, unknown>; decodeError?: string } {
  try {
    if (any.typeUrl === TypeUrl.waypointPolicy) return { resource: redact(decodeWaypointPolicy(any.value)) as Record<string, unknown> };
    const name = any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
    const workloadApi = name.startsWith('istio.') || name.startsWith('ambit.');
    const type = (workloadApi ? workloadApiSchemas() : envoySchemas()).lookupType(name);
    const object = type.toObject(type.decode(any.value), { enums: String, longs: String, bytes: String, defaults: false, json: true });
    return { resource: redact(object) as Record<string, unknown> };
  } catch (error) {
    return { resource: {}, decodeError: `cannot decode ${any.typeUrl}: ${(error as Error).message}` };
  }
}

/** Replaces secret fields, and turns base64 raw addresses (4 or 16 bytes) into IP text. */
function redact(value: unknown, key = ''): unknown {
  if (SECRET_FIELD.test(key)) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item, key));
  if (typeof value === 'string' && ADDRESS_FIELD.test(key)) return ipText(value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(v, k);
  return out;
}

function ipText(base64: string): string {
  if (isIP(base64) !== 0) return base64;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return base64;
}
