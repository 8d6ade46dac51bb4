import type * as avro from 'avsc';

/**
 * Avro records as self-describing messages (e.g. Kafka values):
 *   single-object encoding (Avro spec): C3 01, the schema's CRC-64-AVRO (Rabin) fingerprint
 *     of its Parsing Canonical Form, little-endian, then the Avro binary;
 *   Confluent wire format: 00, the registry's 4-byte big-endian schema id, then the Avro binary.
 */

const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & (-(fp & 1n) & MASK));
  return fp;
});

/** The 64-bit Rabin fingerprint the Avro spec defines, of the UTF-8 bytes of `text`, as 8 little-endian bytes. */
function rabinFingerprint(text: string): Buffer {
  let fp = EMPTY;
  for (const b of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out;
}

/** The schema's Parsing Canonical Form (what fingerprints and registries compare). */
export function canonicalSchema(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

export interface MessageFraming {
  /** the bytes before each record's Avro binary */
  header: Buffer;
  encode(record: unknown): Buffer;
  decode(message: Buffer): unknown;
}

function framing(type: avro.Type, header: Buffer, what: string): MessageFraming {
  return {
    header,
    encode: (record) => Buffer.concat([header, type.toBuffer(record)]),
    decode: (message) => {
      if (message.length < header.length || !message.subarray(0, header.length).equals(header)) {
        throw new Error(`not a ${what} message of this schema (header ${message.subarray(0, header.length).toString('hex')})`);
      }
      return type.fromBuffer(message.subarray(header.length));
    },
  };
}

export function singleObjectFraming(type: avro.Type): MessageFraming {
  return framing(type, Buffer.concat([Buffer.from([0xc3, 0x01]), rabinFingerprint(canonicalSchema(type))]), 'single-object encoded');
}

export function confluentFraming(type: avro.Type, schemaId: number): MessageFraming {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return framing(type, header, `Confluent wire format (schema id ${schemaId})`);
}
