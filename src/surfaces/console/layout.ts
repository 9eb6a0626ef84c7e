import type { CommonTexts, Lang, Refusal } from '../../texts/common.ts';
import type { ConsoleTexts } from '../../texts/console.ts';
import { alert, postForm } from '../shared/html/forms.ts';
import { page } from '../shared/html/shell.ts';
import { type Html, html } from '../shared/html/template.ts';

/** What every console page is drawn with. */
export interface ConsolePage {
  lang: Lang;
  t: ConsoleTexts;
  common: CommonTexts;
  csrf: string;
  /** The page the language switch returns to (without `lang`). */
  here: string;
  /** The signed-in staff member's name: the bar shows the navigation and the sign-out only then. */
  who?: string;
  /** The upstream identity providers' buttons on the sign-in: none unless CONSOLE_PROVIDERS is on. */
  providers: ReadonlyArray<{ id: string; name: string }>;
  /** The signed-in staff member is a superuser: the bar shows the superusers' sections too. */
  superuser?: boolean;
}

/** The console's parts, as the bar's navigation names them. */
type Section = 'accounts' | 'organizations' | 'audit' | 'apps' | 'keys' | 'webhooks' | 'providers' | 'health';

/** Each section's page; `superusers`: the section is only for them (staff would be refused), so only they see it. */
const SECTIONS: ReadonlyArray<readonly [Section, string, 'superusers'?]> = [
  ['accounts', '/admin'],
  ['organizations', '/admin/organizations'],
  ['audit', '/admin/audit'],
  ['apps', '/admin/apps'],
  ['keys', '/admin/keys'],
  ['webhooks', '/admin/webhooks'],
  ['providers', '/admin/providers', 'superusers'],
  ['health', '/admin/health'],
];

/** A console URL in the page's language. */
export function href(lang: Lang, path: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  params.set('lang', lang);
  return `${path}?${params.toString()}`;
}

/** Epoch ms as `2026-12-01 22:13 UTC`; staff across time zones read one clock. */
export function when(ms: number | null, t: ConsoleTexts): string {
  if (ms === null) return t.never;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A notice after a change (`?done=`), read out politely. */
export const flash = (text: string | undefined): Html => alert(text, 'ok');

/** The bar above every page: the brand, for staff the navigation and the sign-out, both languages. */
function bar(c: ConsolePage, current: Section | undefined): Html {
  const switchTo = (to: Lang, label: string) => {
    const url = new URL(c.here, 'http://x');
    url.searchParams.set('lang', to);
    return html`<a href="${url.pathname + url.search}" lang="${to === 'zh' ? 'zh-CN' : 'en'}">${label}</a>`;
  };
  const link = ([key, path, only]: (typeof SECTIONS)[number]) =>
    only === 'superusers' && !c.superuser
      ? html``
      : html`<li><a href="${href(c.lang, path)}"${current === key ? html` aria-current="page"` : ''}>${c.t[key]}</a></li>`;
  const signOut = html`<button type="submit" class="link">${c.t.signOut}</button>`;
  return html`<header class="bar">
<p class="brand">Gatehouse · ${c.t.console}</p>
${
  c.who &&
  html`<nav aria-label="${c.t.console}"><ul class="nav">${SECTIONS.map(link)}</ul></nav>
<div class="who"><span>${c.who}</span>${postForm(href(c.lang, '/admin/sign-out'), c.csrf, signOut, 'inline')}</div>`
}
<p class="lang">${switchTo('zh', '中文')} · ${switchTo('en', 'English')}</p>
</header>
`;
}

/**
 * A whole console page on the page kit's one shell (shared/html/shell.ts):
 * the wide layout, the console's bar and style sheet. No inline script or
 * style; JavaScript only keeps a button from being pressed twice (and runs the
 * sign-in's passkey ceremony).
 */
export function consolePage(c: ConsolePage, slots: { title: string; main: Html; current?: Section; scripts?: readonly string[] }): Html {
  return page({
    lang: c.lang,
    title: `${slots.title} · ${c.t.console}`,
    header: bar(c, slots.current),
    layout: 'wide',
    styles: ['console.css'],
    scripts: slots.scripts,
    main: slots.main,
  });
}

/** A refusal in its one sentence (src/texts/common.ts), with the way back. */
export function messagePage(c: ConsolePage, refusal: Refusal): Html {
  const text = c.common.refusals[refusal];
  return consolePage(c, {
    title: text,
    main: html`<h1 class="error-title">${text}</h1>
<p><a href="${href(c.lang, '/admin')}">${c.common.page.back}</a></p>`,
  });
}
