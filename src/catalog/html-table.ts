import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';

/** One grid position; a cell spanning rows or columns fills each position it covers. */
interface GridCell {
  text: string;
  header: boolean;
  /** the <td>/<th> it comes from, to tell a spanning cell from equal neighbours */
  cellId: number;
}

export interface GridRow {
  /** 1-based position of the <tr> in its table */
  rowNumber: number;
  cells: (GridCell | undefined)[];
  inHead: boolean;
  inFoot: boolean;
}

const MAX_COLSPAN = 100;
const MAX_ROWSPAN = 10_000;

/** Footnote markers as printed on wiki pages: [1], [a], [note 3], [nb 2], [citation needed]. */
const FOOTNOTE =
  /\[\s*(?:\d{1,3}|[a-z]{1,2}|(?:note|nb|n|lower-alpha|upper-alpha)\s*\d{1,3}|[a-z ]{3,30}needed|clarification needed)\s*\]/gi;

/** Removes what a reader does not see or is no part of the text: footnotes, hidden sort keys, scripts. */
export function stripInvisible($: CheerioAPI): void {
  $('script, style, noscript, sup.reference, .reference, .sortkey, .mw-ref, .noprint').remove();
  $('[style]').each((_, el) => {
    if (/display\s*:\s*none/i.test($(el).attr('style') ?? '')) $(el).remove();
  });
  $('[hidden]').remove();
  $('br').replaceWith('\n');
}

/** A cell's visible text: &nbsp; as space, footnote markers dropped, spaces collapsed, lines kept. */
export function cleanCellText(raw: string): string {
  return raw
    .replace(/\u00a0|\u2007|\u202f/g, ' ')
    .replace(FOOTNOTE, '')
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

const OPEN_QUOTE = '"“„«＂';
const CLOSE_QUOTE = '"”“»＂';

/**
 * The song title in a chart cell: the first quoted title of `"A" / "B"` (double
 * A-side) or of `"A" (featuring X)`, quotes removed; unquoted text up to a line break.
 */
export function cleanTitle(text: string): string {
  const t = text.trim();
  if (OPEN_QUOTE.includes(t.charAt(0))) {
    for (let i = 1; i < t.length; i++) {
      if (CLOSE_QUOTE.includes(t.charAt(i))) return t.slice(1, i).trim();
    }
    return t.slice(1).trim();
  }
  const firstLine = t.split('\n')[0];
  return firstLine
    .split(/\s+\/\s+/)[0]
    .replace(/[\s†‡§¶♦*]+$/u, '')
    .trim();
}

/** An artist cell: lines joined ("A<br>featuring B" -> "A featuring B"), markers dropped. */
export function cleanArtist(text: string): string {
  return text
    .split('\n')
    .join(' ')
    .replace(/[\s†‡§¶♦*]+$/u, '')
    .trim();
}

/** The rows of a table as a grid with rowspan and colspan expanded (nested tables left out). */
export function tableGrid($: CheerioAPI, table: Element): GridRow[] {
  const rows: GridRow[] = [];
  const pending: { cell: GridCell; remaining: number }[] = [];
  let nextCellId = 0;
  const trs = $(table)
    .find('tr')
    .filter((_, tr) => $(tr).closest('table')[0] === table)
    .toArray();
  trs.forEach((tr, i) => {
    const cells: (GridCell | undefined)[] = [];
    let col = 0;
    const fillPending = (): void => {
      while (pending[col] && pending[col].remaining > 0) {
        cells[col] = pending[col].cell;
        pending[col].remaining--;
        col++;
      }
    };
    for (const el of $(tr).children('th, td').toArray()) {
      fillPending();
      const cell: GridCell = { text: cleanCellText($(el).text()), header: el.tagName === 'th', cellId: nextCellId++ };
      const colspan = spanOf($(el).attr('colspan'), MAX_COLSPAN);
      const rowspanAttr = $(el).attr('rowspan');
      const rowspan = rowspanAttr?.trim() === '0' ? MAX_ROWSPAN : spanOf(rowspanAttr, MAX_ROWSPAN);
      for (let k = 0; k < colspan; k++) {
        cells[col] = cell;
        pending[col] = { cell, remaining: rowspan - 1 };
        col++;
      }
    }
    for (col = cells.length; col < pending.length; col++) {
      if (pending[col] && pending[col].remaining > 0) {
        cells[col] = pending[col].cell;
        pending[col].remaining--;
      }
    }
    const section = $(tr).parent()[0] as Element | undefined;
    rows.push({ rowNumber: i + 1, cells, inHead: section?.tagName === 'thead', inFoot: section?.tagName === 'tfoot' });
  });
  return rows;
}

function spanOf(attr: string | undefined, max: number): number {
  const n = Number.parseInt(attr ?? '1', 10);
  return Number.isFinite(n) && n >= 1 ? Math.min(n, max) : 1;
}

/** The most cells of any row; a loop, as a spread of a huge table's rows would overflow the stack. */
function widestRow(rows: readonly GridRow[]): number {
  let width = 0;
  for (const r of rows) if (r.cells.length > width) width = r.cells.length;
  return width;
}

/** Leading header rows (in <thead>, or made only of <th>), else the first row. */
export function headerRowCount(rows: readonly GridRow[]): number {
  let n = 0;
  const width = widestRow(rows);
  const isHeader = (row: GridRow): boolean => row.inHead || (row.cells.length > 0 && row.cells.every((c) => c?.header));
  // a later all-<th> row that is one cell across the table is a group label ("1999"), not a header
  while (n < rows.length && isHeader(rows[n]) && !(n > 0 && width > 1 && new Set(rows[n].cells.map((c) => c?.cellId)).size === 1)) n++;
  return n === 0 && rows.length > 0 ? 1 : n;
}

/** One label per column from all header rows: "Peak chart positions US", "Title". */
export function headerLabels(rows: readonly GridRow[], headerRows: number): string[] {
  const width = widestRow(rows);
  const labels: string[] = [];
  for (let col = 0; col < width; col++) {
    const parts: string[] = [];
    for (let r = 0; r < headerRows; r++) {
      const text = rows[r].cells[col]?.text.replace(/\n/g, ' ');
      if (text && !parts.includes(text)) parts.push(text);
    }
    labels.push(parts.join(' '));
  }
  return labels;
}

/** A row that is no song: one cell across the table ("— denotes a release that did not chart"), a sub-header, a footer. */
export function isNoteRow(row: GridRow, width: number): boolean {
  if (row.inFoot) return true;
  const present = row.cells.filter((c): c is GridCell => c !== undefined);
  if (present.length === 0) return true;
  if (width > 1 && new Set(present.map((c) => c.cellId)).size === 1) return true;
  if (present.every((c) => c.header)) return true;
  return present.every((c) => /^[\s\-–—]*$/.test(c.text));
}
