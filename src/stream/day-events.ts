import { openWorldFolder } from '../dataset/open-folder';
import { recordsOf } from '../dataset/record-view';
import type { ListeningRecord } from '../domain/listening-record';
import type { WorldLayout } from '../pipeline/world-layout';

/**
 * A complete day's events in event-time order: by start time, then user id, then their
 * order in the part files (deterministic, so a record's index in this order, its sequence
 * number, is the same on every run and names it in the topic).
 */
export async function dayEventsInOrder(layout: WorldLayout, day: string): Promise<ListeningRecord[]> {
  const dataset = await (await openWorldFolder(layout.worldDir)).day(day);
  const { manifest } = dataset;
  const records: ListeningRecord[] = [];
  for (const part of dataset.parts) {
    // every field, each part verified against the day's manifest first
    for await (const batch of dataset.columns(part, 'all')) for (const r of recordsOf<ListeningRecord>(batch)) records.push(r);
  }
  if (records.length !== manifest.totalRecords) {
    throw new Error(
      `day ${day} of ${layout.worldDir}: the parts hold ${records.length} records, the manifest says ${manifest.totalRecords}`,
    );
  }
  const order = records.map((_, i) => i);
  order.sort(
    (a, b) =>
      records[a].listening_time.start_time - records[b].listening_time.start_time || records[a].user_id - records[b].user_id || a - b,
  );
  return order.map((i) => records[i]);
}
