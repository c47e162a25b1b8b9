/** google.protobuf.Any: a serialized message and its type URL. */
export interface Any {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** protobufjs declares google.protobuf.Any with its proto field name `type_url`; this is that shape. */
export function protoAny(any: Any): { type_url: string; value: Uint8Array } {
  return { type_url: any.typeUrl, value: any.value };
}
