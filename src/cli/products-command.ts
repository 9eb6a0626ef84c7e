import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { importProducts, IMPORT_COLUMNS, type SourceRow } from '../core/catalog-import.ts';
import { openStores } from '../store/open-stores.ts';
import { CsvError, parseCsv } from './csv.ts';
import { progressBar } from './progress.ts';
import { UsageError } from './usage-error.ts';

/** `gatehouse products import FILE [--strict] [--format csv|json]`. */
export async function productsCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'import') throw new UsageError('products needs an action: import FILE');
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { strict: { type: 'boolean' }, format: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new UsageError('products import needs exactly one FILE (.csv or .json)');
  const format = parsed.values.format ?? extname(file).slice(1).toLowerCase();
  if (format !== 'csv' && format !== 'json') throw new UsageError(`cannot tell the format of "${file}": use --format csv or --format json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const rows = format === 'csv' ? csvRows(text) : jsonRows(text);

  const stores = await openStores(config.database);
  try {
    const bar = progressBar('importing', process.stderr);
    const report = await importProducts(stores.products, rows, Date.now(), { strict: parsed.values.strict, onProgress: bar.update });
    bar.done();
    for (const p of report.rejected) console.error(`line ${p.line}: ${p.message}`);
    if (report.aborted) {
      console.log(`imported 0, updated 0, rejected ${report.rejected.length} (--strict: nothing was imported)`);
      return 1;
    }
    console.log(`imported ${report.imported}, updated ${report.updated}, rejected ${report.rejected.length}`);
    return 0;
  } finally {
    await stores.close();
  }
}

function csvRows(text: string): SourceRow[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(error.message);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) return [];
  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const missing = IMPORT_COLUMNS.filter((c) => !['featured_rank', 'status', 'description'].includes(c) && !columns.includes(c));
  if (missing.length > 0) throw new UsageError(`the CSV header lacks ${missing.join(', ')} (columns: ${IMPORT_COLUMNS.join(', ')})`);
  return body.map((record) => ({
    line: record.line,
    values: Object.fromEntries(columns.map((c, i) => [c, record.fields[i]])),
  }));
}

/** A JSON array of objects, or JSON lines; "line" is the array index + 1 or the line number. */
function jsonRows(text: string): SourceRow[] {
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
  const rows: SourceRow[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = {};
    }
    rows.push({ line: index + 1, values: isObject(value) ? value : {} });
  });
  return rows;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
