// google.protobuf.Struct / Value / ListValue on the wire (Node metadata, CA request metadata).
import type { StructMessage, ValueMessage } from '../struct';
import type { ProtoWriter } from './writer';

const VALUE_KINDS = ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'] as const;

/** Struct { map<string, Value> fields = 1 }: one entry { key = 1; value = 2 } per field. */
export function writeStruct(writer: ProtoWriter, struct: StructMessage): void {
  const fields = struct.fields;
  if (!fields) return;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (!value) continue;
    writer.message(1, (entry) => {
      entry.string(1, key, true);
      entry.message(2, (out) => writeValue(out, value));
    });
  }
}

/** Value { oneof kind { null_value 1; number_value 2; string_value 3; bool_value 4; struct_value 5; list_value 6 } }: the member is written even when zero. */
function writeValue(writer: ProtoWriter, value: ValueMessage): void {
  const kind = value.kind ?? VALUE_KINDS.find((k) => value[k] !== undefined);
  switch (kind) {
    case 'nullValue':
      writer.uint(1, 0, true);
      return;
    case 'numberValue':
      writer.double(2, value.numberValue ?? 0, true);
      return;
    case 'stringValue':
      writer.string(3, value.stringValue ?? '', true);
      return;
    case 'boolValue':
      writer.uint(4, value.boolValue ? 1 : 0, true);
      return;
    case 'structValue':
      writer.message(5, (out) => writeStruct(out, value.structValue ?? {}));
      return;
    case 'listValue':
      writer.message(6, (list) => {
        for (const item of value.listValue?.values ?? []) list.message(1, (out) => writeValue(out, item));
      });
      return;
    default:
  }
}
