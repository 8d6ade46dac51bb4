import * as path from 'node:path';
import type { OwnedThing } from '../pipeline/run-owner';
import { WorldLayout } from '../pipeline/world-layout';

/** One streamer per (world, topic), whoever starts it (CLI, Web UI, schedule), claimed as a world's advance is. */
export function streamOfTopic(worldDir: string, topic: string): OwnedThing {
  return {
    file: new WorldLayout(worldDir).streamOwnerPath(topic),
    what: `world ${path.basename(worldDir)} -> topic ${topic}`,
    doing: 'being streamed',
  };
}
