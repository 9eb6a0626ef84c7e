import type { Lang } from '../shared/html/lang.ts';
import { escapeHtml } from '../shared/html/layout.ts';
import type { Texts } from './i18n.ts';

export const e = escapeHtml;

/** A console URL in the page's language. */
export function href(lang: Lang, path: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  params.set('lang', lang);
  return `${path}?${params.toString()}`;
}

/** Epoch ms as `2026-12-01 22:13 UTC`; staff across time zones read one clock. */
export function when(ms: number | null, t: Texts): string {
  if (ms === null) return t.never;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A POST form with its CSRF field; `body` holds the other fields and the button. */
export function form(action: string, csrf: string, body: string, className = 'inline'): string {
  return `<form method="post" action="${e(action)}" class="${className}">
<input type="hidden" name="csrf" value="${e(csrf)}">
${body}
</form>`;
}

export interface Frame {
  lang: Lang;
  t: Texts;
  /** The signed-in staff member's name, when signed in. */
  who?: string;
  csrf?: string;
  /** The page the language switch returns to (without `lang`). */
  here?: string;
  current?: 'accounts' | 'audit' | 'health' | 'apps' | 'keys';
}

/**
 * A whole console page: the navigation, then the main part. No inline script
 * or style (the strict CSP holds); JavaScript only keeps a button from being
 * pressed twice.
 */
export function consolePage(frame: Frame, title: string, main: string): string {
  const { lang, t } = frame;
  const link = (key: 'accounts' | 'audit' | 'health' | 'apps' | 'keys', path: string) =>
    `<li><a href="${e(href(lang, path))}"${frame.current === key ? ' aria-current="page"' : ''}>${e(t[key])}</a></li>`;
  const here = frame.here ?? '/admin';
  const switchTo = (to: Lang, label: string) => {
    const url = new URL(here, 'http://x');
    url.searchParams.set('lang', to);
    return `<a href="${e(url.pathname + url.search)}" lang="${to === 'zh' ? 'zh-CN' : 'en'}">${label}</a>`;
  };
  const nav = frame.who
    ? `<nav aria-label="${e(t.console)}"><ul class="nav">${link('accounts', '/admin')}${link('audit', '/admin/audit')}${link('apps', '/admin/apps')}${link('keys', '/admin/keys')}${link('health', '/admin/health')}</ul></nav>
<div class="who"><span>${e(frame.who)}</span>${form(href(lang, '/admin/sign-out'), frame.csrf ?? '', `<button type="submit" class="link">${e(t.signOut)}</button>`)}</div>`
    : '';
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · ${e(t.console)} · Gatehouse</title>
<link rel="stylesheet" href="/assets/pages.css">
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/pages.js" defer></script>
</head>
<body class="console">
<header class="bar">
<p class="brand">Gatehouse · ${e(t.console)}</p>
${nav}
<p class="lang">${switchTo('zh', '中文')} · ${switchTo('en', 'English')}</p>
</header>
<main class="wide">
${main}
</main>
</body>
</html>
`;
}
