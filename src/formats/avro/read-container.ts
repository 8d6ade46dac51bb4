import * as fs from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import * as avro from 'avsc';
import { containerBlocks, readContainerHeader } from './container-blocks';
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
  return decoderOf(fs.createReadStream(filePath));
}

function decoderOf(source: Readable): avro.streams.BlockDecoder {
  const decoder = new avro.streams.BlockDecoder({ codecs: DECODER_CODECS });
  pipeline(source, decoder, () => {});
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
export function readContainer<T = unknown>(filePath: string, onSchema?: (schema: avro.Schema) => void): AsyncGenerator<T> {
  return decodeContainer(openDecoder(filePath), filePath, onSchema);
}

/** Streams the records of an AVRO object container read from `source` (an object of a store); `name` names it in errors. */
export function readContainerStream<T = unknown>(source: Readable, name: string): AsyncGenerator<T> {
  return decodeContainer(decoderOf(source), name);
}

async function* decodeContainer<T>(
  decoder: avro.streams.BlockDecoder,
  filePath: string,
  onSchema?: (schema: avro.Schema) => void,
): AsyncGenerator<T> {
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
  const header = readContainerHeader(buf, filePath);
  const resolver = readerType.createResolver(avro.Type.forSchema(header.schema));
  const records: T[] = [];
  for (const block of containerBlocks(buf, header, filePath)) {
    let at = 0;
    for (let i = 0; i < block.count; i++) {
      const record = readerType.decode(block.data, at, resolver);
      if (record.offset < 0) throw unreadable(filePath, 'truncated record');
      records.push(record.value as T);
      at = record.offset;
    }
  }
  return records;
}
