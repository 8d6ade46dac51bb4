import type { SourceKind } from '../source-kind';
import { readHtml } from '../source-reading';

/** html:URL — the song tables of a web page. */
export const htmlKind: SourceKind = {
  argument: 'URL',
  needs: 'a URL',
  namesFile: false,
  read: (_spec, arg, tally, ctx) => readHtml(tally, { url: arg, table: undefined, columns: {}, units: {}, defaults: {} }, ctx),
};
