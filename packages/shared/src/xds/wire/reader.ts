// Reads the protobuf wire format field by field: varints, fixed 32/64-bit values and
// length-delimited bytes. Unknown fields are skipped by their wire type, as proto3 requires.

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export class ProtoReader {
  /** Field number and wire type of the last tag read. */
  field = 0;
  wireType = 0;
  private position: number;
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.position = start;
    this.end = end;
  }

  /** Reads the next tag; false at the end of the message. */
  next(): boolean {
    if (this.position >= this.end) return false;
    const tag = this.varint();
    this.field = Math.floor(tag / 8);
    this.wireType = tag & 7;
    if (this.field === 0) throw new Error('invalid protobuf: field number 0');
    return true;
  }

  /** An unsigned varint up to 2^53 (int64 values beyond that lose precision, as protobufjs' `longs: Number` does). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) throw new Error('invalid protobuf: truncated varint');
      const byte = this.bytes[this.position++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new Error('invalid protobuf: varint longer than 10 bytes');
  }

  /**
   * A uint32 / enum field: the low 32 bits of the varint, exact however long it is (a negative int32 enum
   * is ten bytes on the wire; summing it as a float would lose its low bits).
   */
  uint32(): number {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) throw new Error('invalid protobuf: truncated varint');
      const byte = this.bytes[this.position++] as number;
      if (i < 5) value = (value | ((byte & 0x7f) << (7 * i))) >>> 0;
      if (byte < 0x80) return value;
    }
    throw new Error('invalid protobuf: varint longer than 10 bytes');
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  double(): number {
    const start = this.take(8);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + start, 8).getFloat64(0, true);
  }

  /** A length-delimited field's bytes, as a view into the message (no copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    const start = this.take(length);
    return this.bytes.subarray(start, start + length);
  }

  /** A length-delimited field's bytes, copied: for values kept beyond the message's buffer. */
  bytesCopy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.bytesField());
  }

  string(): string {
    const length = this.varint();
    const start = this.take(length);
    return decoder.decode(this.bytes.subarray(start, start + length));
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const length = this.varint();
    const start = this.take(length);
    return new ProtoReader(this.bytes, start, start + length);
  }

  /** Repeated scalar varints, packed (one length-delimited run) or not (one value per tag). */
  packedVarints(into: number[]): void {
    if (this.wireType !== WireType.bytes) {
      into.push(this.uint32());
      return;
    }
    const packed = this.message();
    while (packed.position < packed.end) into.push(packed.uint32());
  }

  /** Skips the value of the last tag read. */
  skip(): void {
    switch (this.wireType) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.take(8);
        return;
      case WireType.bytes:
        this.take(this.varint());
        return;
      case WireType.fixed32:
        this.take(4);
        return;
      case 3: {
        // A group (proto2): skip to its end tag.
        const field = this.field;
        while (this.next()) {
          if ((this.wireType as number) === 4) {
            if (this.field !== field) throw new Error('invalid protobuf: mismatched group end');
            return;
          }
          this.skip();
        }
        throw new Error('invalid protobuf: unterminated group');
      }
      default:
        throw new Error(`invalid protobuf: wire type ${this.wireType}`);
    }
  }

  /** Throws unless the last tag has `wireType`; a field of an unexpected type is a malformed message. */
  expect(wireType: number): void {
    if (this.wireType !== wireType)
      throw new Error(`invalid protobuf: field ${this.field} has wire type ${this.wireType}, expected ${wireType}`);
  }

  private take(length: number): number {
    const start = this.position;
    if (length < 0 || start + length > this.end) throw new Error('invalid protobuf: length beyond the end of the message');
    this.position = start + length;
    return start;
  }
}

const decoder = new TextDecoder();
