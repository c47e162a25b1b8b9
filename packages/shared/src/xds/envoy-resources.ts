// Packing Envoy v3 resources (Listener, RouteConfiguration, Cluster, ClusterLoadAssignment and
// the extensions they embed) into google.protobuf.Any, for translators and tests.
import { type Any, protoAny } from './any';
import { envoySchemas } from './schemas';
import { TYPE_URL_PREFIX } from './type-urls';

/**
 * Encodes a plain object (camelCase field names, enums as names, nested Any either as an Any
 * `{ typeUrl, value }` or as `{ '@type': 'type.googleapis.com/<msg>', ...fields }`) as `messageName`.
 * Throws on an unknown message name.
 */
export function packEnvoyResource(messageName: string, value: Record<string, unknown>): Any {
  const type = envoySchemas().lookupType(messageName);
  const message = type.fromObject(withProtoAnys(value) as Record<string, unknown>);
  return { typeUrl: TYPE_URL_PREFIX + type.fullName.slice(1), value: type.encode(message).finish() };
}

// Nested Any values given as our `{ typeUrl, value }` become protobufjs' `{ type_url, value }`.
function withProtoAnys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withProtoAnys);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.typeUrl === 'string' && record.value instanceof Uint8Array) return protoAny(record as unknown as Any);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) out[key] = withProtoAnys(record[key]);
  return out;
}

/** Decodes an Any holding an Envoy message to JSON-style object (enums as names, nested Any as `@type`), e.g. for config dumps. */
export function unpackEnvoyResource(any: Any): Record<string, unknown> {
  const type = envoySchemas().lookupType(any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1));
  return type.toObject(type.decode(any.value), { enums: String, longs: Number, defaults: false, json: true });
}
