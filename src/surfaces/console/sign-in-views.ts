import type { Refusal } from '../../texts/common.ts';
import { passwordForm, SIGN_IN_SCRIPTS, secondStepForm, type SignInForms } from '../shared/html/sign-in/views.ts';
import { html } from '../shared/html/template.ts';
import { type ConsolePage, consolePage, flash, href } from './layout.ts';

/** The sign-in's forms as the console posts them: the shared flow (surfaces/shared/html/sign-in), with passkeys. */
function signInForms(c: ConsolePage): SignInForms {
  return {
    t: c.common,
    csrf: c.csrf,
    passwordAction: href(c.lang, '/admin/sign-in'),
    secondStepAction: href(c.lang, '/admin/sign-in/second-step'),
    passkey: { options: '/admin/sign-in/passkey-options', finish: '/admin/sign-in/passkey' },
    upstream: { providers: c.providers, start: (id) => href(c.lang, `/admin/idp/${encodeURIComponent(id)}`, { csrf: c.csrf }) },
  };
}

/** The staff sign-in: the same form as every page's (password, or a passkey alone), with what the console is for. */
export function signInPage(c: ConsolePage, refusal?: Refusal, login = '', notice?: string) {
  return consolePage(c, {
    title: c.t.signInTitle,
    main: html`<section class="narrow">
<h1>${c.t.signInTitle}</h1>
<p>${c.t.signInIntro}</p>
${flash(notice)}
${passwordForm(signInForms(c), { login, refusal })}
</section>`,
    scripts: SIGN_IN_SCRIPTS,
  });
}

/** The second step: one code field (authenticator or recovery code), a passkey where the account has one. */
export function secondStepPage(c: ConsolePage, mfaToken: string, passkey: boolean, refusal?: Refusal) {
  return consolePage(c, {
    title: c.common.secondStep.title,
    main: html`<section class="narrow">
<h1>${c.common.secondStep.title}</h1>
${secondStepForm(signInForms(c), { mfaToken, passkey, refusal })}
</section>`,
    scripts: SIGN_IN_SCRIPTS,
  });
}
