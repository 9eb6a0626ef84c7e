/** One CSV record and the (1-based) line of the file it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV file Gatehouse cannot read at all (as opposed to a bad row). */
export class CsvError extends Error {}

/**
 * Parses RFC 4180 CSV: fields in double quotes may hold commas, quotes (doubled)
 * and line breaks; CRLF or LF line ends; a leading BOM is skipped. Blank lines
 * are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(`line ${recordLine}: a quoted field is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
