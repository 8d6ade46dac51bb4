import { describe, expect, it } from 'vitest';
import { atOrAfter, DAY_HEADER, headerPosition, partitionFor, SEQ_HEADER } from '../../../src/stream/kafka-topic';

const headers = (entries: [string, string][]) => new Map(entries.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));

describe('where a resumed stream picks up: partitions, positions, and which messages a partition already holds', () => {
  it("puts a user's key on the partition Kafka's Java clients choose", () => {
    // Utils.toPositive(Utils.murmur2(key)) % partitions, computed with kafka-clients 4.4.0 (test/kafka/libs)
    const java: [string, number, number][] = [
      ['0', 2, 8],
      ['1', 3, 3],
      ['7', 3, 3],
      ['42', 4, 4],
      ['1234', 0, 0],
      ['99999', 0, 0],
    ];
    for (const [key, of6, of12] of java) {
      expect(partitionFor(Buffer.from(key), 6), `key ${key} of 6`).toBe(of6);
      expect(partitionFor(Buffer.from(key), 12), `key ${key} of 12`).toBe(of12);
    }
  });

  it('reads a message position from its day and seq headers, and none from anything else', () => {
    expect(
      headerPosition(
        headers([
          [DAY_HEADER, '2025-06-01'],
          [SEQ_HEADER, '17'],
        ]),
      ),
    ).toEqual({ day: '2025-06-01', seq: 17 });
    expect(
      headerPosition(
        headers([
          ['other', 'x'],
          [SEQ_HEADER, '0'],
          [DAY_HEADER, '2025-06-02'],
        ]),
      ),
    ).toEqual({ day: '2025-06-02', seq: 0 });
    // a header after seq leaves it as it was
    expect(
      headerPosition(
        headers([
          [SEQ_HEADER, '4'],
          [DAY_HEADER, '2025-06-02'],
          ['other', '9'],
        ]),
      ),
    ).toEqual({ day: '2025-06-02', seq: 4 });
    // a message of another producer, or with a broken header, says nothing about where this stream stopped
    expect(headerPosition(headers([[DAY_HEADER, '2025-06-01']]))).toBeUndefined();
    expect(headerPosition(headers([[SEQ_HEADER, '3']]))).toBeUndefined();
    expect(
      headerPosition(
        headers([
          [DAY_HEADER, '2025-06-01'],
          [SEQ_HEADER, '1.5'],
        ]),
      ),
    ).toBeUndefined();
    expect(
      headerPosition(
        headers([
          [DAY_HEADER, '2025-06-01'],
          [SEQ_HEADER, 'x'],
        ]),
      ),
    ).toBeUndefined();
    expect(headerPosition(headers([]))).toBeUndefined();
  });

  it("skips exactly the messages at or before a partition's last one: the last is not sent again, the next one is", () => {
    const tail = { day: '2025-06-02', seq: 10 };
    expect(atOrAfter(tail, { day: '2025-06-02', seq: 10 })).toBe(true);
    expect(atOrAfter(tail, { day: '2025-06-02', seq: 9 })).toBe(true);
    expect(atOrAfter(tail, { day: '2025-06-01', seq: 500 })).toBe(true);
    expect(atOrAfter(tail, { day: '2025-06-02', seq: 11 })).toBe(false);
    expect(atOrAfter(tail, { day: '2025-06-03', seq: 0 })).toBe(false);
  });
});
