/** The part of parquetjs-lite's API this project uses (the package ships no types). */
declare module 'parquetjs-lite' {
  export interface FieldDefinition {
    type?: string;
    optional?: boolean;
    repeated?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
    encoding?: string;
    statistics?: boolean;
    fields?: Record<string, FieldDefinition>;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
  }
  export interface OutputStreamLike {
    write(chunk: Buffer, callback: (err?: Error | null) => void): unknown;
    end(callback: (err?: Error | null) => void): unknown;
  }
  export class ParquetWriter {
    static openStream(
      schema: ParquetSchema,
      out: OutputStreamLike,
      opts?: { rowGroupSize?: number; pageSize?: number; useDataPageV2?: boolean },
    ): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
    setMetadata(key: string, value: string): void;
  }
}
