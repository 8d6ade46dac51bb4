import * as path from 'node:path';
import { readCsvSource } from '../csv-source';
import { DescriptionError, loadSourceDescription, type SourceDescription } from '../source-description';
import { SourceError } from '../source-error';
import type { SourceKind } from '../source-kind';
import { confinedFile, progressOf, readHtml } from '../source-reading';

/** source:PATH.json — a csv file or html page read as its JSON description says (columns, units, defaults). */
export const describedKind: SourceKind = {
  argument: 'PATH.json',
  needs: 'a file path',
  namesFile: true,
  async read(spec, arg, tally, ctx) {
    let description: SourceDescription;
    try {
      description = loadSourceDescription(confinedFile(spec, arg, ctx));
    } catch (err) {
      if (err instanceof DescriptionError) throw new SourceError(spec, `bad source description ${path.resolve(arg)}: ${err.message}`);
      throw err;
    }
    if (description.kind === 'csv') {
      await readCsvSource(tally, confinedFile(spec, description.path!, ctx, 'path'), {
        ...description,
        currentYear: ctx.currentYear,
        onProgress: progressOf(spec, ctx),
      });
    } else {
      await readHtml(tally, description, ctx);
    }
  },
};
