/** A minimal protobuf wire-format reader: decodes one message level into fields (used to verify encodings). */
export type WireValue =
  | { readonly wire: 0; readonly value: bigint }
  | { readonly wire: 1 | 5; readonly bytes: Uint8Array }
  | { readonly wire: 2; readonly bytes: Uint8Array };

export type Fields = Map<number, WireValue[]>;

export function readFields(buf: Uint8Array): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error("protobuf: truncated varint");
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let v: WireValue;
    if (wire === 0) v = { wire: 0, value: varint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      v = { wire, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const n = Number(varint());
      v = { wire: 2, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error("protobuf: truncated field");
    const list = fields.get(field);
    if (list) list.push(v);
    else fields.set(field, [v]);
  }
  return fields;
}

const textDecoder = new TextDecoder();

export function getAll(f: Fields, field: number): WireValue[] {
  return f.get(field) ?? [];
}

export function getString(f: Fields, field: number): string | undefined {
  const v = f.get(field)?.at(-1);
  return v && v.wire === 2 ? textDecoder.decode(v.bytes) : undefined;
}

export function getStrings(f: Fields, field: number): string[] {
  return getAll(f, field).flatMap((v) => (v.wire === 2 ? [textDecoder.decode(v.bytes)] : []));
}

export function getInt(f: Fields, field: number): bigint | undefined {
  const v = f.get(field)?.at(-1);
  return v && v.wire === 0 ? v.value : undefined;
}

export function getMessages(f: Fields, field: number): Fields[] {
  return getAll(f, field).flatMap((v) => (v.wire === 2 ? [readFields(v.bytes)] : []));
}

export function getBytes(f: Fields, field: number): Uint8Array | undefined {
  const v = f.get(field)?.at(-1);
  return v && v.wire !== 0 ? v.bytes : undefined;
}

/** Repeated int64 field, packed or not, as signed numbers. */
export function getPackedInts(f: Fields, field: number): number[] {
  const out: number[] = [];
  for (const v of getAll(f, field)) {
    if (v.wire === 0) out.push(Number(BigInt.asIntN(64, v.value)));
    else if (v.wire === 2) {
      let pos = 0;
      while (pos < v.bytes.length) {
        let r = 0n;
        let s = 0n;
        for (;;) {
          const b = v.bytes[pos++];
          r |= BigInt(b & 0x7f) << s;
          if ((b & 0x80) === 0) break;
          s += 7n;
        }
        out.push(Number(BigInt.asIntN(64, r)));
      }
    }
  }
  return out;
}
