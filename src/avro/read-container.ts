import * as fs from 'node:fs';
import * as avro from 'avsc';

/** Streams the records of any AVRO object container file, with its writer schema. */
export async function* readContainer<T = unknown>(
  filePath: string,
  onSchema?: (schema: avro.Schema) => void,
): AsyncGenerator<T> {
  if (!fs.existsSync(filePath)) throw new Error(`no such file: ${filePath}`);
  const decoder = avro.createFileDecoder(filePath);
  if (onSchema) decoder.once('metadata', (type: avro.Type) => onSchema(type.schema()));
  for await (const record of decoder) yield record as T;
}

export async function readContainerSchema(filePath: string): Promise<avro.Schema> {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(filePath)) return reject(new Error(`no such file: ${filePath}`));
    const decoder = avro.createFileDecoder(filePath);
    decoder.once('metadata', (type: avro.Type) => {
      resolve(type.schema());
      decoder.destroy();
    });
    decoder.once('error', (err: Error) => reject(new Error(`${filePath} is not a readable AVRO container: ${err.message}`)));
  });
}
