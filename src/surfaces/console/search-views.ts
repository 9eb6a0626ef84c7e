import type { User } from '../../core/ports/user-store.ts';
import { html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href, when } from './layout.ts';
import { dataTable } from './tables.ts';

/** How staff name an account: its email, else its username, else its uuid. */
export const accountName = (u: User) => u.email ?? u.username ?? u.uuid;

/** The search, a page of results and the pager. */
export function accountsPage(c: ConsolePage, found: { q: string; page: number; users: User[]; hasNext: boolean }, done?: string) {
  const { t, lang } = c;
  const { q, page, users } = found;
  const rows = users.map((u) => [
    html`<a href="${href(lang, `/admin/accounts/${u.uuid}`)}">${accountName(u)}</a>`,
    u.username ?? '',
    u.phone ?? '',
    t.statuses[u.status],
    when(u.lastLoginAt, t),
  ]);
  return consolePage(c, {
    title: t.accounts,
    current: 'accounts',
    main: html`<h1>${t.accounts}</h1>
${flash(done)}
<form method="get" action="/admin" class="search" role="search">
<input type="hidden" name="lang" value="${lang}">
<label for="q">${t.searchLabel}</label>
<div class="row"><input id="q" name="q" type="search" maxlength="254" value="${q}" aria-describedby="q-hint"><button type="submit">${t.search}</button></div>
<p class="hint" id="q-hint">${t.searchHint}</p>
</form>
${users.length ? dataTable(t.accounts, [t.email, t.username, t.phone, t.status, t.lastLogin], rows) : html`<p>${t.noResults}</p>`}
<nav class="pager" aria-label="${t.page(page)}">${page > 1 && html`<a href="${href(lang, '/admin', { q, page: page - 1 })}" rel="prev">${t.previous}</a> `}<span>${t.page(page)}</span>${
      found.hasNext && html` <a href="${href(lang, '/admin', { q, page: page + 1 })}" rel="next">${t.next}</a>`
    }</nav>`,
  });
}
