import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CsvError, parseCsv } from './csv.ts';
import { UsageError } from './usage-error.ts';

/** One record of an import file: its values by column name, and the line (or item) it came from. */
export interface FileRecord {
  line: number;
  values: Record<string, unknown>;
}

/**
 * Reads an import file as records: CSV with a header row (RFC 4180), a JSON
 * array of objects, or JSON lines. `line` is where a CSV record starts, the
 * array index + 1, or the line of a JSON line. A line that is not a JSON object
 * becomes an empty record (and fails the caller's validation, with its line).
 */
export function readRecords(path: string, format: string | undefined, requiredColumns: readonly string[]): FileRecord[] {
  const kind = format ?? extname(path).slice(1).toLowerCase();
  if (kind !== 'csv' && kind !== 'json' && kind !== 'jsonl') throw new UsageError(`cannot tell the format of "${path}": use --format csv or --format json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return kind === 'csv' ? csvRecords(text, requiredColumns) : jsonRecords(text);
}

function csvRecords(text: string, requiredColumns: readonly string[]): FileRecord[] {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(error.message);
    throw error;
  }
  const [header, ...body] = rows;
  if (!header) return [];
  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const missing = requiredColumns.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new UsageError(`the CSV header lacks ${missing.join(', ')}`);
  return body.map((r) => ({ line: r.line, values: Object.fromEntries(columns.map((c, i) => [c, r.fields[i]])) }));
}

function jsonRecords(text: string): FileRecord[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let items: unknown;
    try {
      items = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`the file is not valid JSON: ${(error as Error).message}`);
    }
    return (items as unknown[]).map((item, index) => ({ line: index + 1, values: isObject(item) ? item : {} }));
  }
  const records: FileRecord[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = {};
    }
    records.push({ line: index + 1, values: isObject(value) ? value : {} });
  });
  return records;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
