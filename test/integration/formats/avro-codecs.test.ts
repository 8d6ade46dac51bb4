import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVRO_CODECS, type AvroCodec } from '../../../src/formats/avro/block-codecs';
import { readContainer, readContainerSync } from '../../../src/formats/avro/read-container';
import { LISTENING_HISTORY_SCHEMA, schemaType } from '../../../src/formats/avro/schemas';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { prepareRun } from '../../../src/pipeline/in-process-run';
import { runShardJob } from '../../../src/pipeline/shard-job';
import { sha256 } from '../../helpers/read-run';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { avroReaderLibsDir, ensureAvroReaderJars, ensurePyspark, ensurePythonTools, pysparkDir, pythonEnv } from '../../helpers/test-tools';

const READERS = path.resolve(__dirname, '../../avro-readers');
const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const INPUT = { users: 30, shardSize: 30, sessionsPerUser: 4, seed: 5, catalog: ['synthetic:400'] };

/** One shard of a small run with `avroCodec` (undefined: the default), in its own folder. */
async function writePart(root: string, name: string, avroCodec?: AvroCodec): Promise<string> {
  const runDir = path.join(root, name);
  const run = await prepareRun(runDir, { ...INPUT, ...(avroCodec && { avroCodec }) });
  await runShardJob({ params: run.params, runDir, shard: 0, catalogSha256: run.catalogSha256 });
  return path.join(runDir, 'avro', 'part-00000.avro');
}

async function readAll(file: string): Promise<ListeningRecord[]> {
  const out: ListeningRecord[] = [];
  for await (const r of readContainer<ListeningRecord>(file)) out.push(r);
  return out;
}

describe('AVRO container codecs deflate, snappy and zstandard (avroCodec)', () => {
  const tmp = makeTmpDir('wrapped-etl-avro-codecs-');
  const files = {} as Record<AvroCodec | 'default', string>;
  /** the user_id sum and count every reader must find in each file */
  let expected: { records: number; userIds: number };

  beforeAll(async () => {
    files.default = await writePart(tmp.dir, 'default');
    for (const codec of AVRO_CODECS) files[codec] = await writePart(tmp.dir, codec, codec);
    const records = await readAll(files.default);
    expected = { records: records.length, userIds: records.reduce((s, r) => s + r.user_id, 0) };
  });
  afterAll(() => tmp.cleanup());

  it('deflate stays the default, byte for byte; each codec names itself in the header and gives the same bytes again', async () => {
    expect(sha256(files.deflate)).toBe(sha256(files.default));
    for (const codec of AVRO_CODECS) {
      const header = fs.readFileSync(files[codec]).subarray(0, headerEnd(fs.readFileSync(files[codec])));
      expect(header.includes(Buffer.concat([Buffer.from('avro.codec'), Buffer.from([codec.length * 2]), Buffer.from(codec)]))).toBe(true);
      expect(sha256(await writePart(tmp.dir, `${codec}-again`, codec))).toBe(sha256(files[codec]));
    }
    expect(fs.statSync(files.snappy).size).not.toBe(fs.statSync(files.deflate).size);
  });

  it("gives the same records through the project's stream and sync readers whatever the codec", async () => {
    const reference = await readAll(files.deflate);
    expect(reference.length).toBeGreaterThan(1000);
    for (const codec of AVRO_CODECS) {
      expect(await readAll(files[codec])).toEqual(reference);
      expect(readContainerSync<ListeningRecord>(files[codec], schemaType(LISTENING_HISTORY_SCHEMA))).toEqual(reference);
    }
  });

  it("checks a snappy block's CRC32 of its uncompressed bytes, as the Avro spec has it", async () => {
    const bytes = fs.readFileSync(files.snappy);
    // the first block's CRC: the 4 bytes before the sync marker that ends it
    const end = headerEnd(bytes);
    const blockEnd = bytes.indexOf(bytes.subarray(end - 16, end), end);
    const broken = Buffer.from(bytes);
    broken[blockEnd - 1] ^= 0x01;
    const file = path.join(tmp.dir, 'broken-crc.avro');
    fs.writeFileSync(file, broken);
    await expect(readAll(file)).rejects.toThrow(/snappy block fails its CRC32/);
    expect(() => readContainerSync(file, schemaType(LISTENING_HISTORY_SCHEMA))).toThrow(/broken-crc\.avro .*snappy block fails its CRC32/);
  });

  // each reader is provisioned without root on first use (test/helpers/test-tools.ts), or the test skips saying why
  it('is read by Python fastavro (cramjam for snappy, backports.zstd for zstandard)', (ctx) => {
    const missing = ensurePythonTools();
    if (missing) return ctx.skip(missing);
    const script = `
import fastavro, sys
for f in sys.argv[1:]:
    with open(f, 'rb') as fo:
        r = fastavro.reader(fo)
        n = s = 0
        for rec in r:
            n += 1
            s += rec['user_id']
        print(r.codec, n, s)
`;
    const out = execFileSync('python3', ['-c', script, ...AVRO_CODECS.map((c) => files[c])], { encoding: 'utf8', env: pythonEnv() });
    expect(out.trim().split('\n')).toEqual(AVRO_CODECS.map((c) => `${c} ${expected.records} ${expected.userIds}`));
  });

  it('is read by the Java Avro library (DataFileReader; snappy checks the CRC32)', (ctx) => {
    const missing = ensureAvroReaderJars();
    if (missing) return ctx.skip(missing);
    const out = execFileSync(
      'java',
      ['-cp', `${avroReaderLibsDir()}/*`, path.join(READERS, 'ReadAvro.java'), ...AVRO_CODECS.map((c) => files[c])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(out.trim().split('\n')).toEqual(AVRO_CODECS.map((c) => `${c} ${expected.records} ${expected.userIds}`));
  });

  it("is read by Spark's spark-avro", (ctx) => {
    const missing = ensureAvroReaderJars() ?? ensurePyspark();
    if (missing) return ctx.skip(missing);
    const out = execFileSync('python3', [path.join(READERS, 'read_spark.py'), ...AVRO_CODECS.map((c) => files[c])], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: pysparkDir() },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out.trim().split('\n')).toEqual(AVRO_CODECS.map(() => `${expected.records} ${expected.userIds}`));
  });
});

/** Where a container's header ends: after its metadata map and the 16-byte sync marker. */
function headerEnd(bytes: Buffer): number {
  return (metaType.decode(bytes, 4).offset as number) + 16;
}
