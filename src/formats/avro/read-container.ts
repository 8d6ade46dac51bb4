import * as fs from 'node:fs';
import { pipeline } from 'node:stream';
import * as avro from 'avsc';

/** avsc's createFileDecoder, except that read errors (a folder, no permission) reach the decoder and an early stop closes the file. */
function openDecoder(filePath: string): avro.streams.BlockDecoder {
  if (!fs.existsSync(filePath)) throw new Error(`no such file: ${filePath}`);
  const decoder = new avro.streams.BlockDecoder();
  pipeline(fs.createReadStream(filePath), decoder, () => {});
  return decoder;
}

const unreadable = (filePath: string, err: Error) =>
  new Error(`${filePath} is not a readable AVRO container: ${err.message}`, { cause: err });

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
