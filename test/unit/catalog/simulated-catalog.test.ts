import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalogFile, readSimulatedCatalog, writeCatalogFile } from '../../../src/catalog/catalog-file';
import { syntheticCatalog } from '../../../src/catalog/synthetic';
import { AvroContainerWriter } from '../../../src/formats/avro/container-writer';
import { loadSchemaJson, SONG_SCHEMA } from '../../../src/formats/avro/schemas';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('simulated-catalog-');
afterAll(() => tmp.cleanup());

describe('readSimulatedCatalog (the synchronous catalog load of a pool thread)', () => {
  it('gives the songs readCatalogFile gives, without the provenance fields', async () => {
    // more than one AVRO block, so the block loop and the sync markers are read
    const songs = syntheticCatalog(5000, 3, 2025);
    const file = writeCatalogFile(path.join(tmp.dir, 'catalog.avro'), songs);
    const full = await readCatalogFile(file.path);
    const table = readSimulatedCatalog(file.path);
    expect(table.size).toBe(5000);
    const slim = Array.from({ length: table.size }, (_, i) => ({ ...table.song(i) }));
    expect(slim).toEqual(full.map(({ source: _s, imputed: _i, ...rest }) => rest));
    // the artists numbered by first appearance
    const firsts = [...new Set(full.map((s) => s.artist))];
    expect(table.artistCount).toBe(firsts.length);
    expect(Array.from(table.columns.artistOf)).toEqual(full.map((s) => firsts.indexOf(s.artist)));
  });

  it('reads a catalog written before songs had albums, the album as ""', () => {
    const schema = loadSchemaJson(SONG_SCHEMA) as avro.schema.RecordType;
    const old = avro.Type.forSchema({ ...schema, fields: schema.fields.filter((f) => f.name !== 'album') });
    const filePath = path.join(tmp.dir, 'old.avro');
    const writer = new AvroContainerWriter(filePath, old, { syncMarker: Buffer.alloc(16, 7) });
    const { album: _a, ...song } = syntheticCatalog(1, 3, 2025)[0];
    writer.append(song);
    writer.commit();
    expect({ ...readSimulatedCatalog(filePath).song(0) }).toMatchObject({ title: song.title, artist: song.artist, album: '' });
  });

  it('says which file is missing, empty or not an AVRO container', () => {
    expect(() => readSimulatedCatalog(path.join(tmp.dir, 'none.avro'))).toThrow(/catalog file not found: .*none\.avro/);
    const junk = path.join(tmp.dir, 'junk.avro');
    fs.writeFileSync(junk, 'title,artist\n');
    expect(() => readSimulatedCatalog(junk)).toThrow(/junk\.avro is not a readable AVRO container: no AVRO magic bytes/);
    const good = writeCatalogFile(path.join(tmp.dir, 'cut.avro'), syntheticCatalog(50, 3, 2025));
    fs.truncateSync(good.path, fs.statSync(good.path).size - 20);
    expect(() => readSimulatedCatalog(good.path)).toThrow(/cut\.avro is not a readable AVRO container: truncated block/);
    const empty = writeCatalogFile(path.join(tmp.dir, 'empty.avro'), []);
    expect(() => readSimulatedCatalog(empty.path)).toThrow(/holds no songs/);
  });
});
