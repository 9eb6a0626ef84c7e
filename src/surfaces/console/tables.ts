import { type Html, html } from '../shared/html/template.ts';

/** One cell: text (escaped), a number, or markup made by `html`. */
type Cell = Html | string | number;

/**
 * A table of the console: in a region that scrolls sideways on a phone (and
 * can be reached by keyboard to do so), captioned for screen readers with the
 * same name. A heading may be markup (a column of buttons is named for
 * screen readers only).
 */
export function dataTable(label: string, head: ReadonlyArray<Cell>, rows: ReadonlyArray<ReadonlyArray<Cell>>): Html {
  return html`<div class="scroll" role="region" tabindex="0" aria-label="${label}"><table>
<caption class="visually-hidden">${label}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows.map((cells) => html`<tr>${cells.map((cell) => html`<td>${cell}</td>`)}</tr>\n`)}</tbody>
</table></div>`;
}

/** A state as a coloured tag: `ok` green, `warn` red (the words say it too). */
export const tag = (ok: boolean, text: string): Html => html`<span class="tag ${ok ? 'ok' : 'warn'}">${text}</span>`;
