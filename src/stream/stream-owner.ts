import * as path from 'node:path';
import type { OwnedThing } from '../pipeline/run-owner';

/**
 * One streamer per (world, topic), whoever starts it (CLI, Web UI, schedule): recorded in
 * <world>/_stream/owners/<topic>.json, as a world's advance is in <world>/_work/owner.json.
 */
export function streamOfTopic(worldDir: string, topic: string): OwnedThing {
  return {
    file: path.join(worldDir, '_stream', 'owners', `${topic}.json`),
    what: `world ${path.basename(worldDir)} -> topic ${topic}`,
    doing: 'being streamed',
  };
}
