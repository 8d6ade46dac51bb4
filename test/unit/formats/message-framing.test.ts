import * as avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { canonicalSchema, confluentFraming, singleObjectFraming } from '../../../src/formats/avro/message-framing';

// Reference bytes from an independent implementation, fastavro 1.x (.venv):
// fastavro.schema.fingerprint(to_parsing_canonical_form(s), 'CRC-64-AVRO') and schemaless_writer.
// "null"'s fingerprint is also the Avro spec's test value 7195948357588979594 (0x63dd24e7cc258f8a, little-endian here).
const PING = avro.Type.forSchema({
  type: 'record',
  name: 'Ping',
  namespace: 't',
  doc: 'attributes the canonical form drops',
  fields: [
    { name: 'n', type: 'long', default: 0 },
    { name: 's', type: 'string' },
    { name: 'u', type: ['null', 'string'], default: null },
  ],
});
const PING_CANONICAL =
  '{"name":"t.Ping","type":"record","fields":[{"name":"n","type":"long"},{"name":"s","type":"string"},{"name":"u","type":["null","string"]}]}';
const PING_RECORD = { n: -3, s: 'héllo', u: 'v' };
const PING_BINARY = '050c68c3a96c6c6f020276';

describe('Avro records framed as self-describing messages', () => {
  it('single-object encoding: C3 01, the CRC-64-AVRO fingerprint of the canonical form (little-endian), the binary', () => {
    for (const [schema, fingerprint] of [
      ['null', '8a8f25cce724dd63'],
      ['int', '8f5c393f1ad57572'],
      ['string', 'c70345637248018f'],
    ]) {
      expect(singleObjectFraming(avro.Type.forSchema(schema)).header.toString('hex'), schema).toBe(`c301${fingerprint}`);
    }
    expect(canonicalSchema(PING)).toBe(PING_CANONICAL);
    const framing = singleObjectFraming(PING);
    const message = framing.encode(PING_RECORD);
    expect(message.toString('hex')).toBe(`c301f0ffc415e5bfb7c5${PING_BINARY}`);
    expect(framing.decode(message)).toEqual(PING_RECORD);
  });

  it("the Confluent wire format: 00, the registry's schema id as 4 bytes big-endian, the binary", () => {
    const framing = confluentFraming(PING, 0x01020304);
    const message = framing.encode(PING_RECORD);
    expect(message.toString('hex')).toBe(`0001020304${PING_BINARY}`);
    expect(framing.decode(message)).toEqual(PING_RECORD);
    expect(confluentFraming(PING, 42).encode(PING_RECORD).subarray(0, 5).toString('hex')).toBe('000000002a');
  });

  it('refuses a message of another schema, another framing or one shorter than the header, naming what it found', () => {
    const message = confluentFraming(PING, 7).encode(PING_RECORD);
    expect(() => confluentFraming(PING, 8).decode(message)).toThrow(
      /^not a Confluent wire format \(schema id 8\) message of this schema \(header 0000000007\)$/,
    );
    expect(() => confluentFraming(PING, 7).decode(message.subarray(0, 3))).toThrow(/\(header 000000\)$/);
    expect(() => singleObjectFraming(PING).decode(message)).toThrow(
      /^not a single-object encoded message of this schema \(header 0000000007050c68c3a9\)$/,
    );
    // the header alone is a message whose binary is missing: avsc's own error, not a header mismatch
    expect(() => confluentFraming(PING, 7).decode(message.subarray(0, 5))).toThrow(/truncated buffer/);
  });
});
