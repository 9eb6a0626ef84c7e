import type { Member } from '../../core/organizations/memberships.ts';
import type { Organization } from '../../core/ports/organization-store.ts';
import { html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, href, when } from './layout.ts';
import { accountName } from './search-views.ts';
import { dataTable } from './tables.ts';

/** The organisations, searched by name or slug, a page at a time. */
export function organizationsPage(c: ConsolePage, found: { q: string; page: number; organizations: Organization[]; hasNext: boolean }) {
  const { t, lang } = c;
  const o = t.orgTexts;
  const { q, page } = found;
  const rows = found.organizations.map((org) => [
    html`<a href="${href(lang, `/admin/organizations/${org.id}`)}">${org.name}</a>`,
    org.slug,
    html`<code>${org.id}</code>`,
    when(org.createdAt, t),
  ]);
  return consolePage(c, {
    title: t.organizations,
    current: 'organizations',
    main: html`<h1>${t.organizations}</h1>
<form method="get" action="/admin/organizations" class="search" role="search">
<input type="hidden" name="lang" value="${lang}">
<label for="q">${o.searchLabel}</label>
<div class="row"><input id="q" name="q" type="search" maxlength="254" value="${q}"><button type="submit">${t.search}</button></div>
</form>
${rows.length ? dataTable(t.organizations, [o.name, o.slug, o.id, t.created], rows) : html`<p>${o.none}</p>`}
<nav class="pager" aria-label="${t.page(page)}">${page > 1 && html`<a href="${href(lang, '/admin/organizations', { q, page: page - 1 })}" rel="prev">${t.previous}</a> `}<span>${t.page(page)}</span>${
      found.hasNext && html` <a href="${href(lang, '/admin/organizations', { q, page: page + 1 })}" rel="next">${t.next}</a>`
    }</nav>`,
  });
}

/** One organisation and its members (read only). */
export function organizationPage(c: ConsolePage, org: Organization, members: Member[]) {
  const { t, lang } = c;
  const o = t.orgTexts;
  const rows = members.map((m) => [
    html`<a href="${href(lang, `/admin/accounts/${m.user.uuid}`)}">${accountName(m.user)}</a>`,
    m.membership.roles.join(', '),
    when(m.membership.createdAt, t),
  ]);
  return consolePage(c, {
    title: `${t.organizations}: ${org.name}`,
    current: 'organizations',
    main: html`<h1>${t.organizations}: ${org.name}</h1>
<dl>
<dt>${o.slug}</dt><dd>${org.slug}</dd>
<dt>${o.id}</dt><dd><code>${org.id}</code></dd>
<dt>${t.created}</dt><dd>${when(org.createdAt, t)}</dd>
</dl>
<p class="hint">${o.readOnly}</p>
<h2>${o.members}</h2>
${rows.length ? dataTable(o.members, [o.account, o.roles, o.joined], rows) : html`<p>${o.noMembers}</p>`}`,
  });
}
