/**
 * google.protobuf.Struct as both protobufjs (`decode`) and @grpc/proto-loader (`oneofs: true`,
 * which adds a `kind` discriminator) hand it over, and back. Node metadata and CA request
 * metadata use it.
 */
export interface StructMessage {
  fields?: Record<string, ValueMessage>;
}

export interface ValueMessage {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue';
  nullValue?: number | string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMessage;
  listValue?: { values?: ValueMessage[] };
}

const VALUE_KINDS = ['stringValue', 'numberValue', 'boolValue', 'structValue', 'listValue'] as const;

export function structToJson(struct: StructMessage | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = struct?.fields;
  if (!fields) return out;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value) out[key] = valueToJson(value);
  }
  return out;
}

function valueToJson(value: ValueMessage): unknown {
  const kind = value.kind ?? VALUE_KINDS.find((k) => Object.hasOwn(value, k));
  switch (kind) {
    case 'stringValue':
      return value.stringValue;
    case 'numberValue':
      return value.numberValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

export function jsonToStruct(object: Record<string, unknown>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) fields[key] = jsonToValue(value);
  return { fields };
}

function jsonToValue(value: unknown): ValueMessage {
  if (value === null) return { nullValue: 0 };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  if (typeof value === 'object') return { structValue: jsonToStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}
