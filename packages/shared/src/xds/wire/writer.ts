// Writes the protobuf wire format. Embedded messages are written by a nested writer and copied in
// length-prefixed: the messages a proxy sends are small (requests, ACKs), so simplicity wins.

export class ProtoWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 64) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Field `field` as a varint; proto3 leaves zero off the wire unless `always` (oneof members). */
  uint(field: number, value: number | undefined, always = false): this {
    if (value === undefined || (value === 0 && !always)) return this;
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (!value) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  /** A double (wire type 1); written even when zero where `always` (oneof members). */
  double(field: number, value: number, always = false): this {
    if (value === 0 && !always && !Object.is(value, -0)) return this;
    this.tag(field, 1);
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
    return this;
  }

  /** A string field; empty strings are left off unless `always` (oneof members, map keys). */
  string(field: number, value: string | undefined, always = false): this {
    if (value === undefined || (value === '' && !always)) return this;
    const size = Buffer.byteLength(value);
    this.tag(field, 2);
    this.varint(size);
    this.reserve(size);
    this.buffer.write(value, this.length, size, 'utf8');
    this.length += size;
    return this;
  }

  bytes(field: number, value: Uint8Array | undefined, always = false): this {
    if (value === undefined || (value.length === 0 && !always)) return this;
    this.tag(field, 2);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** An embedded message, written even when empty (its presence is the information). */
  message(field: number, write: (writer: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    write(nested);
    return this.bytes(field, nested.finish(), true);
  }

  /** The bytes written so far, as a Buffer over them (no copy). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (value < 0 || !Number.isInteger(value)) throw new RangeError(`cannot write ${value} as an unsigned varint`);
    this.reserve(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buffer[this.length++] = rest;
  }

  private reserve(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + size));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
