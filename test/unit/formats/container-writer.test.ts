import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { AvroContainerWriter } from '../../../src/formats/avro/container-writer';
import { makeTmpDir } from '../../helpers/tmp-dir';

const TYPE = avro.Type.forSchema({
  type: 'record',
  name: 'Row',
  doc: 'a row',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'at', type: 'long' },
    { name: 'text', type: 'string' },
  ],
});
const SYNC = Buffer.from([...Array(16).keys()].map((i) => 0xf0 - i));

/** What avsc's own container reader finds in `file`: header fields, records, and how many sync markers the file holds. */
async function readBack(file: string) {
  const header = avro.extractFileHeader(file, { decode: false })!;
  const records: unknown[] = [];
  await new Promise<void>((resolve, reject) =>
    avro
      .createFileDecoder(file)
      .on('data', (r: unknown) => records.push(r))
      .on('end', resolve)
      .on('error', reject),
  );
  const bytes = fs.readFileSync(file);
  let syncs = 0;
  for (let at = bytes.indexOf(SYNC); at >= 0; at = bytes.indexOf(SYNC, at + 1)) syncs++;
  return {
    codec: header.meta['avro.codec'].toString(),
    schema: JSON.parse(header.meta['avro.schema'].toString()),
    sync: header.sync,
    records,
    /** data blocks: every sync marker after the header's */
    blocks: syncs - 1,
  };
}

const row = (id: number, text = `row ${id}`) => ({ id, at: 1_700_000_000_000 + id, text });

describe('the AVRO container writer', () => {
  const tmp = makeTmpDir();
  let n = 0;
  const file = () => path.join(tmp.dir, `f${n++}.avro`);
  afterAll(() => tmp.cleanup());

  it('writes a file avsc reads back: deflate and 256 KiB blocks by default, the bare schema, the given sync marker', async () => {
    const out = file();
    const w = new AvroContainerWriter(out, TYPE, { syncMarker: SYNC });
    const rows = Array.from({ length: 3000 }, (_, i) => row(i, `row ${i} ${'x'.repeat(100)}`));
    for (const r of rows) w.append(r);
    expect(w.records).toBe(3000);
    const written = w.commit();
    expect(written).toMatchObject({ records: 3000, bytes: fs.statSync(out).size });
    const back = await readBack(out);
    expect(back).toMatchObject({ codec: 'deflate', sync: SYNC, records: rows });
    expect(back.schema).toEqual(JSON.parse(JSON.stringify(TYPE.schema())));
    expect(back.schema.doc).toBeUndefined();
    // ~330 KB of records: one full 256 KiB block, and the rest at commit
    expect(back.blocks).toBe(2);
  });

  it('takes the codec, block size and schema attributes it is given; a record larger than the block buffer grows it', async () => {
    const out = file();
    const w = new AvroContainerWriter(out, TYPE, { syncMarker: SYNC, codec: 'null', blockBytes: 64, schemaAttributes: true });
    const rows = [row(1), row(2, 'y'.repeat(1000)), row(3), row(4)];
    for (const r of rows) w.append(r);
    w.commit();
    const back = await readBack(out);
    expect(back).toMatchObject({ codec: 'null', records: rows });
    expect(back.schema).toMatchObject({ doc: 'a row' });
    // a block closes once it holds 64 bytes: the big row closes the first (with the row before it), the rest go at commit
    expect(back.blocks).toBe(2);
  });

  it('writes no empty block, counts bytes as it goes, and leaves nothing when aborted', async () => {
    const empty = file();
    const w = new AvroContainerWriter(empty, TYPE, { syncMarker: SYNC, blockBytes: 32 });
    const header = w.bytesWritten;
    expect(header).toBeGreaterThan(16);
    w.append(row(1, 'z'.repeat(40)));
    expect(w.bytesWritten).toBeGreaterThan(header);
    w.commit();
    expect(await readBack(empty)).toMatchObject({ records: [row(1, 'z'.repeat(40))], blocks: 1 });

    const none = file();
    new AvroContainerWriter(none, TYPE, { syncMarker: SYNC }).commit();
    expect(await readBack(none)).toMatchObject({ records: [], blocks: 0 });

    const aborted = file();
    const a = new AvroContainerWriter(aborted, TYPE, { syncMarker: SYNC });
    a.append(row(1));
    a.abort();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes(path.basename(aborted)))).toEqual([]);

    expect(() => new AvroContainerWriter(file(), TYPE, { syncMarker: Buffer.alloc(15) })).toThrow(/^an AVRO sync marker has 16 bytes$/);
  });
});
