import { readCsvSource } from '../csv-source';
import type { SourceKind } from '../source-kind';
import { confinedFile, progressOf } from '../source-reading';

/** csv:PATH — a CSV file whose headers say which column holds what. */
export const csvKind: SourceKind = {
  argument: 'PATH',
  needs: 'a file path',
  namesFile: true,
  read: (spec, arg, tally, ctx) =>
    readCsvSource(tally, confinedFile(spec, arg, ctx), { currentYear: ctx.currentYear, onProgress: progressOf(spec, ctx) }),
};
