import * as avro from 'avsc';
import { AVRO_CODECS, blockCodec } from './block-codecs';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const longType = avro.Type.forSchema('long');

/** What an AVRO object container file's header says, and where its first block starts. */
export interface ContainerHeader {
  /** the writer schema exactly as in the header (logical types, defaults and docs included) */
  schema: avro.Schema;
  codec: string;
  sync: Buffer;
  blocksStart: number;
}

class UnreadableContainer extends Error {
  constructor(name: string, why: string, cause?: unknown) {
    super(`${name} is not a readable AVRO container: ${why}`, cause === undefined ? undefined : { cause });
    this.name = 'UnreadableContainer';
  }
}

/** The header of the container in `buf`; `name` says which file in errors. */
export function readContainerHeader(buf: Buffer, name: string): ContainerHeader {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new UnreadableContainer(name, 'no AVRO magic bytes');
  const header = metaType.decode(buf, MAGIC.length);
  if (header.offset < 0 || header.offset + 16 > buf.length) throw new UnreadableContainer(name, 'truncated header');
  const meta = header.value as Record<string, Buffer>;
  const codec = meta['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && !(AVRO_CODECS as readonly string[]).includes(codec))
    throw new UnreadableContainer(name, `unsupported codec ${codec}; known: null, ${AVRO_CODECS.join(', ')}`);
  if (!meta['avro.schema']) throw new UnreadableContainer(name, 'no avro.schema in the header');
  let schema: avro.Schema;
  try {
    schema = JSON.parse(meta['avro.schema'].toString('utf8')) as avro.Schema;
  } catch (err) {
    throw new UnreadableContainer(name, 'its header schema is not JSON', err);
  }
  return { schema, codec, sync: buf.subarray(header.offset, header.offset + 16), blocksStart: header.offset + 16 };
}

/** A block's records, inflated: `count` records encoded one after another in `data`. */
export interface ContainerBlock {
  count: number;
  data: Buffer;
}

/**
 * The blocks of the container in `buf`, each checked (size, sync marker) and decompressed, one
 * at a time (zstandard once loadBlockCodec('zstandard') has run in this thread).
 */
export function* containerBlocks(buf: Buffer, header: ContainerHeader, name: string): Generator<ContainerBlock> {
  let decompress: (data: Uint8Array) => Buffer;
  try {
    decompress = blockCodec(header.codec).decompress;
  } catch (err) {
    throw new UnreadableContainer(name, (err as Error).message, err);
  }
  let pos = header.blocksStart;
  while (pos < buf.length) {
    const count = longType.decode(buf, pos);
    const size = count.offset < 0 ? count : longType.decode(buf, count.offset);
    if (size.offset < 0 || size.offset + (size.value as number) + 16 > buf.length) throw new UnreadableContainer(name, 'truncated block');
    const end = size.offset + (size.value as number);
    if (!buf.subarray(end, end + 16).equals(header.sync)) throw new UnreadableContainer(name, 'bad sync marker');
    let data: Buffer;
    try {
      data = decompress(buf.subarray(size.offset, end));
    } catch (err) {
      throw new UnreadableContainer(name, `a block does not decompress (${(err as Error).message})`, err);
    }
    yield { count: count.value as number, data };
    pos = end + 16;
  }
}
