import { CsvError as ParseError, parse } from 'csv-parse/sync';

/** One CSV record and the (1-based) line of the file it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV file Gatehouse cannot read at all (as opposed to a bad row). */
export class CsvError extends Error {}

/**
 * Parses RFC 4180 CSV with csv-parse: fields in double quotes may hold commas,
 * quotes (doubled) and line breaks; CRLF, LF or CR line ends; a leading BOM is
 * skipped; blank lines are skipped. Each record keeps the line it starts on, so
 * a bad row is reported where the operator's editor shows it.
 */
export function parseCsv(text: string): CsvRecord[] {
  let rows: Array<{ record: string[]; raw: string }>;
  try {
    // With `raw` each row is {record, raw}; the typings know only plain records.
    rows = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      raw: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof rows;
  } catch (error) {
    if (error instanceof ParseError) throw new CsvError(`line ${(error as ParseError & { lines?: number }).lines ?? '?'}: ${error.message}`);
    throw error;
  }
  // Lines are counted from each record's raw text: blank lines before it, then the breaks inside quoted fields.
  const breaks = (text: string) => text.match(/\r\n|\n|\r/g)?.length ?? 0;
  let next = 1;
  return rows.map((r) => {
    const body = r.raw.replace(/(\r\n|\n|\r)$/, '');
    const leading = body.match(/^(\r\n|\n|\r)*/)![0];
    const line = next + breaks(leading);
    next = line + breaks(body.slice(leading.length)) + 1;
    return { line, fields: r.record };
  });
}
