import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { importProducts, IMPORT_COLUMNS, type SourceRow } from '../core/catalog-import.ts';
import { openStores } from '../store/open-stores.ts';
import { progressBar } from './progress.ts';
import { readRecords } from './records.ts';
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
  const rows: SourceRow[] = readRecords(
    file,
    parsed.values.format,
    IMPORT_COLUMNS.filter((c) => !['featured_rank', 'status', 'description'].includes(c)),
  );

  const stores = await openStores(config.database, { phoneRegion: config.phoneDefaultRegion });
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
