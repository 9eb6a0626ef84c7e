import type { Lang } from '../../../texts/common.ts';
import { type Html, html } from './template.ts';

/** What one page puts in the shell's slots. */
export interface PageSlots {
  lang: Lang;
  title: string;
  main: Html;
  /** Above `main`: the console's bar (brand, navigation, language). */
  header?: Html;
  /** `card` (a narrow column: the account page, sign-ins, the mail links' pages) or `wide` (the console). */
  layout?: 'card' | 'wide';
  /** Files from the asset list (assets.ts) beyond the shared script: the passkey ceremonies. */
  scripts?: readonly string[];
  /** Style sheets beyond the shared one: the console's. */
  styles?: readonly string[];
}

/**
 * The one page shell of every HTML surface: no inline script or style (the
 * strict Content-Security-Policy holds), the page's language on `<html>`,
 * the title with the product's name, and the slots above.
 */
export function page(slots: PageSlots): Html {
  const layout = slots.layout ?? 'card';
  return html`<!doctype html>
<html lang="${slots.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${slots.title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/pages.css">
${(slots.styles ?? []).map((name) => html`<link rel="stylesheet" href="/assets/${name}">\n`)}<script src="/assets/pages.js" defer></script>
${(slots.scripts ?? []).map((name) => html`<script src="/assets/${name}" defer></script>\n`)}</head>
<body${layout === 'wide' ? html` class="console"` : ''}>
${slots.header}<main class="${layout}">
${slots.main}
</main>
</body>
</html>
`;
}
