import * as fs from 'node:fs';
import { pipeline } from 'node:stream';
import * as avro from 'avsc';
import { AVRO_CODECS, blockCodec, loadBlockCodec } from './block-codecs';

type DecoderCodec = (data: Buffer, done: (err: Error | null, raw?: Buffer) => void) => void;

/** Every codec a container may name, for avsc's BlockDecoder (zstandard loads on its first block). */
const DECODER_CODECS: Record<string, DecoderCodec> = Object.fromEntries(
  ['null', ...AVRO_CODECS].map((name): [string, DecoderCodec] => [
    name,
    (data, done) => {
      loadBlockCodec(name).then(
        () => {
          let raw: Buffer;
          try {
            raw = blockCodec(name).decompress(data);
          } catch (err) {
            return done(err as Error);
          }
          done(null, raw);
        },
        (err: Error) => done(err),
      );
    },
  ]),
);

/** avsc's createFileDecoder, except that read errors (a folder, no permission) reach the decoder and an early stop closes the file. */
function openDecoder(filePath: string): avro.streams.BlockDecoder {
  if (!fs.existsSync(filePath)) throw new Error(`no such file: ${filePath}`);
  const decoder = new avro.streams.BlockDecoder({ codecs: DECODER_CODECS });
  pipeline(fs.createReadStream(filePath), decoder, () => {});
  return decoder;
}

const unreadable = (filePath: string, why: Error | string) =>
  typeof why === 'string'
    ? new Error(`${filePath} is not a readable AVRO container: ${why}`)
    : new Error(
        `${filePath} is not a readable AVRO container: ${why.message}${why.cause instanceof Error ? `: ${why.cause.message}` : ''}`,
        {
          cause: why,
        },
      );

/** Streams the records of any AVRO object container file, with its writer schema. */
export async function* readContainer<T = unknown>(filePath: string, onSchema?: (schema: avro.Schema) => void): AsyncGenerator<T> {
  const decoder = openDecoder(filePath);
  if (onSchema) decoder.once('metadata', (type: avro.Type) => onSchema(type.schema()));
  try {
    for await (const record of decoder) yield record as T;
  } catch (err) {
    throw unreadable(filePath, err as Error);
  }
}

export async function readContainerSchema(filePath: string): Promise<avro.Schema> {
  return new Promise((resolve, reject) => {
    const decoder = openDecoder(filePath);
    // the schema exactly as the writer put it in the header: logical types, defaults and docs included
    decoder.once('metadata', (_type: avro.Type, _codec: string, header: { meta: Record<string, Buffer> }) => {
      resolve(JSON.parse(header.meta['avro.schema'].toString('utf8')) as avro.Schema);
      decoder.destroy();
    });
    decoder.once('error', (err: Error) => reject(unreadable(filePath, err)));
  });
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const longType = avro.Type.forSchema('long');

/**
 * The records of an AVRO object container file (any codec of block-codecs.ts; zstandard
 * once loadBlockCodec('zstandard') has run in this thread), read and decoded
 * synchronously block by block, as `readerType` (resolved against the writer schema, so
 * fields the reader lacks are skipped and fields the writer lacks take their defaults).
 * For files read whole into memory in a worker thread, where the stream's per-record
 * events would cost more than the decoding.
 */
export function readContainerSync<T>(filePath: string, readerType: avro.Type): T[] {
  // a missing file fails here, naming it (ENOENT)
  const buf = fs.readFileSync(filePath);
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw unreadable(filePath, 'no AVRO magic bytes');
  const header = metaType.decode(buf, MAGIC.length);
  if (header.offset < 0 || header.offset + 16 > buf.length) throw unreadable(filePath, 'truncated header');
  const meta = header.value as Record<string, Buffer>;
  const codec = meta['avro.codec']?.toString() ?? 'null';
  let decompress: (data: Uint8Array) => Buffer;
  try {
    decompress = blockCodec(codec).decompress;
  } catch (err) {
    throw unreadable(filePath, err as Error);
  }
  const writerType = avro.Type.forSchema(JSON.parse(meta['avro.schema'].toString('utf8')) as avro.Schema);
  const resolver = readerType.createResolver(writerType);
  const sync = buf.subarray(header.offset, header.offset + 16);
  const records: T[] = [];
  let pos = header.offset + 16;
  while (pos < buf.length) {
    const count = longType.decode(buf, pos);
    const size = count.offset < 0 ? count : longType.decode(buf, count.offset);
    if (size.offset < 0 || size.offset + (size.value as number) + 16 > buf.length) throw unreadable(filePath, 'truncated block');
    const end = size.offset + (size.value as number);
    if (!buf.subarray(end, end + 16).equals(sync)) throw unreadable(filePath, 'bad sync marker');
    const raw = buf.subarray(size.offset, end);
    let block: Buffer;
    try {
      block = decompress(raw);
    } catch (err) {
      throw unreadable(filePath, err as Error);
    }
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const record = readerType.decode(block, at, resolver);
      if (record.offset < 0) throw unreadable(filePath, 'truncated record');
      records.push(record.value as T);
      at = record.offset;
    }
    pos = end + 16;
  }
  return records;
}
