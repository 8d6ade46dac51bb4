import * as avro from 'avsc';
import { openWorldFolder } from '../dataset/open-folder';
import { loadPartCodec, partColumns } from '../dataset/part-ref';
import { recordAt } from '../dataset/record-view';
import { canonicalSchema, type MessageFraming } from '../formats/avro/message-framing';
import { readContainerHeader } from '../formats/avro/container-blocks';
import type { WorldLayout } from '../pipeline/world-layout';

/** A complete day's events as Kafka message values, in event-time order (their index is their sequence number). */
export interface DayMessages {
  count: number;
  userIds: Float64Array;
  startTimes: Float64Array;
  /** the framed values one after another; message i ends at valueEnds[i] */
  values: Buffer;
  valueEnds: Int32Array;
}

/** Message `seq`'s value (a view of DayMessages.values). */
export function messageValue(day: DayMessages, seq: number): Buffer {
  return day.values.subarray(seq === 0 ? 0 : day.valueEnds[seq - 1], day.valueEnds[seq]);
}

const ORDER_FIELDS = ['user_id', 'listening_time.start_time'];

/**
 * A complete day's events framed as messages of `type`, in event-time order: by start time,
 * then user id, then their order in the part files (deterministic, so a record's index in
 * this order, its sequence number, is the same on every run and names it in the topic).
 * A part whose writer schema has `type`'s canonical form already holds each value's Avro
 * binary: its records' bytes are copied, not decoded and encoded again (the same bytes,
 * as the stream test checks against avsc); other parts are decoded and encoded as `type`.
 */
export async function dayMessagesInOrder(layout: WorldLayout, day: string, type: avro.Type, framing: MessageFraming): Promise<DayMessages> {
  const dataset = await (await openWorldFolder(layout.worldDir)).day(day);
  const { manifest } = dataset;
  const wanted = canonicalSchema(type);
  const userIds: number[] = [];
  const startTimes: number[] = [];
  const bodies: Buffer[] = [];
  for (const part of dataset.parts) {
    // each part verified against the day's manifest first
    const bytes = await dataset.bytes(part);
    await loadPartCodec(bytes, part);
    const same = canonicalSchema(avro.Type.forSchema(readContainerHeader(bytes, part.key).schema)) === wanted;
    for (const batch of partColumns(bytes, part, same ? ORDER_FIELDS : 'all')) {
      const users = batch.numbers('user_id');
      const starts = batch.numbers('listening_time.start_time');
      for (let row = 0; row < batch.length; row++) {
        userIds.push(users[row]);
        startTimes.push(starts[row]);
        bodies.push(same ? batch.recordBytes(row) : type.toBuffer(recordAt(batch, row)));
      }
    }
  }
  const count = bodies.length;
  if (count !== manifest.totalRecords) {
    throw new Error(`day ${day} of ${layout.worldDir}: the parts hold ${count} records, the manifest says ${manifest.totalRecords}`);
  }
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => startTimes[a] - startTimes[b] || userIds[a] - userIds[b] || a - b);

  const header = framing.header;
  let size = 0;
  for (const body of bodies) size += header.length + body.length;
  const out: DayMessages = {
    count,
    userIds: new Float64Array(count),
    startTimes: new Float64Array(count),
    values: Buffer.allocUnsafe(size),
    valueEnds: new Int32Array(count),
  };
  let at = 0;
  order.forEach((i, seq) => {
    out.userIds[seq] = userIds[i];
    out.startTimes[seq] = startTimes[i];
    at += header.copy(out.values, at);
    at += bodies[i].copy(out.values, at);
    out.valueEnds[seq] = at;
  });
  return out;
}
