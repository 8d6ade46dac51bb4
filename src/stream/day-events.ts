import * as path from 'node:path';
import { loadBlockCodec } from '../formats/avro/block-codecs';
import { readContainerSync } from '../formats/avro/read-container';
import { schemaType } from '../formats/avro/schemas';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import type { ListeningRecord } from '../domain/listening-record';
import { readManifest } from '../pipeline/manifest';
import { readWorldDefinition, type WorldLayout } from '../pipeline/world-layout';

/**
 * A complete day's events in event-time order: by start time, then user id, then their
 * order in the part files (deterministic, so a record's index in this order, its sequence
 * number, is the same on every run and names it in the topic). The parts are read whole and
 * decoded block by block in the world's schema (a day's parts are a few MB): the record
 * stream's per-record events cost more than the decoding.
 */
export async function dayEventsInOrder(layout: WorldLayout, day: string): Promise<ListeningRecord[]> {
  const { params } = readWorldDefinition(layout);
  await loadBlockCodec(params.avroCodec ?? 'deflate');
  const type = schemaType(listeningHistorySchemaFile(params.schemaVersion));
  const dayLayout = layout.day(day);
  const manifest = readManifest(dayLayout.manifestPath);
  const records: ListeningRecord[] = [];
  for (const part of manifest.parts) {
    for (const r of readContainerSync<ListeningRecord>(path.join(dayLayout.runDir, part.file), type)) records.push(r);
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
