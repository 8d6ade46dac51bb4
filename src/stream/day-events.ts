import * as path from 'node:path';
import { readContainer } from '../formats/avro/read-container';
import type { ListeningRecord } from '../domain/listening-record';
import { readManifest } from '../pipeline/manifest';
import type { WorldLayout } from '../pipeline/world-layout';

/**
 * A complete day's events in event-time order: by start time, then user id, then their
 * order in the part files (deterministic, so a record's index in this order, its sequence
 * number, is the same on every run and names it in the topic).
 */
export async function dayEventsInOrder(layout: WorldLayout, day: string): Promise<ListeningRecord[]> {
  const dayLayout = layout.day(day);
  const manifest = readManifest(dayLayout.manifestPath);
  const records: ListeningRecord[] = [];
  for (const part of manifest.parts) {
    for await (const r of readContainer<ListeningRecord>(path.join(dayLayout.runDir, part.file))) records.push(r);
  }
  if (records.length !== manifest.totalRecords) {
    throw new Error(`${dayLayout.runDir}: the parts hold ${records.length} records, the manifest says ${manifest.totalRecords}`);
  }
  const order = records.map((_, i) => i);
  order.sort(
    (a, b) =>
      records[a].listening_time.start_time - records[b].listening_time.start_time || records[a].user_id - records[b].user_id || a - b,
  );
  return order.map((i) => records[i]);
}
