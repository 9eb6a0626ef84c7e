/**
 * Markup that is safe by construction: made only by {@link html}, which
 * escapes every value put into it (texts, numbers, arrays of them) and inserts
 * other Html as it is. A page never builds markup with `${}` in a plain string.
 */
export class Html {
  readonly #text: string;

  /** Only {@link html} and {@link trusted} make one. */
  constructor(text: string, key: typeof MAKER) {
    if (key !== MAKER) throw new TypeError('Html is made by html`…` or trusted()');
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

const MAKER = Symbol('Html');

type Value = Html | string | number | boolean | null | undefined | ReadonlyArray<Html | string | number>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** What the HTML spec needs escaped in text and in quoted attribute values; nothing more, so URLs stay readable. */
function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(value: Value): string {
  if (value instanceof Html) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map((v) => render(v)).join('');
  return escapeText(String(value));
}

/**
 * The pages' one template tag: `html`<p>${text}</p>``. Texts and numbers are
 * escaped, Html (another `html` result) goes in as it is, arrays are joined,
 * and `null`, `undefined` and `false` render nothing (`${cond && html`…`}`).
 */
export function html(parts: TemplateStringsArray, ...values: Value[]): Html {
  let text = parts[0]!;
  for (let i = 0; i < values.length; i++) text += render(values[i]) + parts[i + 1]!;
  return new Html(text, MAKER);
}

/**
 * Markup from a source that is not a person's text: the QR code's SVG
 * (qrcode renders it from the otpauth URI). The only way past escaping, so a
 * search for `trusted(` lists every one.
 */
export function trusted(markup: string): Html {
  return new Html(markup, MAKER);
}
