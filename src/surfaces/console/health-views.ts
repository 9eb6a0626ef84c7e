import type { CheckResult } from '../../health/installation-checks.ts';
import { html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage } from './layout.ts';
import { dataTable, tag } from './tables.ts';

/** The last hour in four numbers. */
export interface Headlines {
  logins: number;
  failures: number;
  lockouts: number;
  serverErrors: number;
}

/** What `gatehouse doctor` says, and the last hour in four numbers. */
export function healthPage(c: ConsolePage, checks: CheckResult[], numbers: Headlines) {
  const { t } = c;
  const metric = (name: string, n: number) => html`<div class="metric"><dt>${name}</dt><dd>${n}</dd></div>`;
  return consolePage(c, {
    title: t.health,
    current: 'health',
    main: html`<h1>${t.health}</h1>
<section aria-labelledby="hour"><h2 id="hour">${t.lastHour}</h2>
<dl class="metrics">${metric(t.logins, numbers.logins)}${metric(t.loginFailures, numbers.failures)}${metric(t.lockouts, numbers.lockouts)}${metric(t.serverErrors, numbers.serverErrors)}</dl></section>
<section aria-labelledby="checks"><h2 id="checks">${t.checks}</h2>
${dataTable(
  t.checks,
  [t.check, t.result, t.detail],
  checks.map((check) => [check.name, tag(check.ok, check.ok ? t.ok : t.problem), check.text]),
)}</section>`,
  });
}
