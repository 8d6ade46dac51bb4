import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveWorldInput } from '../../../src/config/world-input';
import { singleObjectFraming } from '../../../src/formats/avro/message-framing';
import { readContainer } from '../../../src/formats/avro/read-container';
import { schemaType } from '../../../src/formats/avro/schemas';
import { listeningHistorySchemaFile } from '../../../src/formats/listening-history-versions';
import { readManifest } from '../../../src/pipeline/manifest';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { dayMessagesInOrder, messageValue } from '../../../src/stream/day-events';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { dayShardsInThread } from '../../helpers/world-files';

const tmp = makeTmpDir('wrapped-etl-day-messages-');
afterAll(() => tmp.cleanup());

type Event = { user_id: number; listening_time: { start_time: number } };

describe("a day's messages, as the stream sends them", () => {
  it.each([1, 2] as const)(
    'are avsc encoding each record of the parts (schema v%i), framed, in start time, user and part order',
    async (schemaVersion) => {
      const dir = path.join(tmp.dir, `v${schemaVersion}`);
      await createWorld(
        dir,
        resolveWorldInput({
          name: 'w',
          users: 120,
          shardSize: 50,
          start: '2025-03-28',
          seed: 7,
          catalog: ['synthetic:800'],
          schemaVersion,
        }),
      );
      for (const day of daysToAdvance(dir, '2025-03-29')) await advanceOneDay(dir, day, dayShardsInThread);
      const layout = new WorldLayout(dir);
      const type = schemaType(listeningHistorySchemaFile(schemaVersion));
      const framing = singleObjectFraming(type);
      expect(layout.completeDays()).toHaveLength(2);
      for (const day of layout.completeDays()) {
        // the expected messages from avsc's own decoding of every part, sorted and encoded again
        const records: Event[] = [];
        const parts = readManifest(layout.day(day).manifestPath).parts;
        expect(parts.length).toBeGreaterThan(1);
        for (const part of parts) for await (const r of readContainer<Event>(layout.day(day).pathOf(part.file))) records.push(r);
        const expected = records
          .map((r, i) => ({ r, i }))
          .sort((a, b) => a.r.listening_time.start_time - b.r.listening_time.start_time || a.r.user_id - b.r.user_id || a.i - b.i);

        const messages = await dayMessagesInOrder(layout, day, type, framing);
        expect(messages.count).toBe(expected.length);
        expected.forEach(({ r }, seq) => {
          expect(messageValue(messages, seq).equals(framing.encode(r)), `${day} message ${seq}`).toBe(true);
          expect(messages.userIds[seq]).toBe(r.user_id);
          expect(messages.startTimes[seq]).toBe(r.listening_time.start_time);
        });
      }
    },
    120_000,
  );
});
