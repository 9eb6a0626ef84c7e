import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CsvError, parseCsv } from '../../src/cli/csv.ts';

test('quoted fields hold commas, doubled quotes and line breaks; records keep their first line', () => {
  const text = '\uFEFFid,name,description\r\n1,"Kit, 2 pin","says ""hi""\nsecond line"\n\n2,plain,<p>x</p>\n';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['id', 'name', 'description'] },
    { line: 2, fields: ['1', 'Kit, 2 pin', 'says "hi"\nsecond line'] },
    { line: 5, fields: ['2', 'plain', '<p>x</p>'] },
  ]);
});

test('a last record without a newline, empty fields, and an unclosed quote', () => {
  assert.deepEqual(parseCsv('a,,c'), [{ line: 1, fields: ['a', '', 'c'] }]);
  assert.throws(() => parseCsv('a,"open\nb'), CsvError);
});

test('property: any table written as RFC 4180 CSV reads back the same', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\n', '\r\n', ' ', '中', '<', '>') });
  fc.assert(
    fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 10 }), (rows) => {
      const width = rows[0]!.length;
      const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? 'x'));
      const csv = table.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n');
      assert.deepEqual(
        parseCsv(csv).map((r) => r.fields),
        table,
      );
    }),
  );
});
