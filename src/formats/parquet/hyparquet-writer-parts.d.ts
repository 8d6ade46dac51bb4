/**
 * hyparquet-writer publishes its encoders as subpaths (`"./src/*.js"` in its package
 * exports, typed by its types/ folder); this project's node10 module resolution does not
 * read `exports`, so these lines point the subpaths at those types.
 */
declare module 'hyparquet-writer/src/datapage.js' {
  export { writeDataPageV2, writePageHeader } from 'hyparquet-writer/types/datapage';
}
declare module 'hyparquet-writer/src/encoding.js' {
  export { writeRleBitPackedHybrid } from 'hyparquet-writer/types/encoding';
}
declare module 'hyparquet-writer/src/metadata.js' {
  export { writeMetadata } from 'hyparquet-writer/types/metadata';
}
declare module 'hyparquet-writer/src/snappy.js' {
  export { snappyCompress } from 'hyparquet-writer/types/snappy';
}
declare module 'hyparquet-writer/src/types.js' {
  export type { ColumnEncoder, Compressors, PageData } from 'hyparquet-writer/src/types';
}
