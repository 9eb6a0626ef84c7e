// The passkey ceremonies of the account page: the only part of it that needs
// JavaScript (WebAuthn is a browser API). The blocks stay hidden without it, or
// when the browser has no WebAuthn; everything else works without this file.
document.addEventListener('DOMContentLoaded', () => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;
  const csrf = document.querySelector('input[name="csrf"]')?.value ?? '';
  const lang = document.documentElement.lang.startsWith('zh') ? 'zh' : 'en';
  const post = async (path, body) => {
    const response = await fetch(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf, ...body }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error ?? response.statusText);
    return answer;
  };
  for (const block of document.querySelectorAll('[data-passkey-block]')) block.hidden = false;
  for (const button of document.querySelectorAll('button[data-passkey]')) {
    button.addEventListener('click', async () => {
      const error = document.querySelector('#passkey-error');
      button.disabled = true;
      try {
        if (button.dataset.passkey === 'add') {
          // Adding a factor is confirmed with the password (and a code when an authenticator app is set up).
          const proof = {};
          for (const input of document.querySelectorAll('[data-step-up]')) if (input.value) proof[input.dataset.stepUp] = input.value;
          const { ceremony_id, options } = await post('/account/passkeys/register-options', proof);
          const credential = await lib.startRegistration({ optionsJSON: options });
          await post('/account/passkeys/register', { ceremony_id, credential, name: document.querySelector('#passkey-name')?.value ?? '' });
          location.assign(`/account?lang=${lang}`);
        } else {
          // The sign-in's passkey (shared/html/sign-in/views.ts): the page names its two endpoints.
          const { ceremony_id, options } = await post(button.dataset.options, {});
          const credential = await lib.startAuthentication({ optionsJSON: options });
          const done = await post(button.dataset.finish, { ceremony_id, credential, mfa_token: button.dataset.mfaToken });
          location.assign(done.redirect ?? `/account?lang=${lang}`);
        }
      } catch (failure) {
        if (error) {
          error.textContent = failure.message;
          error.hidden = false;
        }
        button.disabled = false;
      }
    });
  }
});
