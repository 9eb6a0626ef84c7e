import { type Html, html } from './template.ts';

/** The hidden field every form carries (double-submit CSRF, csrf.ts): the only place it is written. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/** A POST form with its CSRF field; `body` holds the other fields and the buttons. */
export function postForm(action: string, csrf: string, body: Html, className?: string): Html {
  return html`<form method="post" action="${action}"${className ? html` class="${className}"` : ''}>
${csrfField(csrf)}
${body}
</form>`;
}

/**
 * A form that does something that cannot be undone, once its `confirm` field holds what `hint` asks to type
 * (an id, an email): the core compares it, so a mistaken click does nothing.
 */
export function typedConfirmForm(action: string, csrf: string, words: { label: string; hint: string; button: string }, maxLength = 64): Html {
  return postForm(
    action,
    csrf,
    html`<label for="confirm">${words.label}</label>
<p class="hint" id="confirm-hint">${words.hint}</p>
<div class="row"><input id="confirm" name="confirm" required maxlength="${String(maxLength)}" autocomplete="off" aria-describedby="confirm-hint"><button type="submit" class="danger">${words.button}</button></div>`,
    'stack',
  );
}

/** A refusal beside the form (read out by screen readers), or a confirmation; nothing without text. */
export function alert(text: string | undefined, kind: 'error' | 'ok' = 'error'): Html {
  if (!text) return html``;
  return kind === 'error' ? html`<p class="error" role="alert" id="form-error">${text}</p>` : html`<p class="flash" role="status">${text}</p>`;
}

/** The attributes of the field a refusal is about: marked invalid and described by the alert. */
export function invalidWhen(refused: boolean): Html {
  return refused ? html` aria-invalid="true" aria-describedby="form-error"` : html``;
}
