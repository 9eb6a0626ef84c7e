// Gatehouse's pages work without this file; it only checks the two passwords
// before sending, and keeps the button from being pressed twice.
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form')) {
    form.addEventListener('submit', (event) => {
      const confirm = form.querySelector('#confirm');
      const password = form.querySelector('#password');
      const error = form.querySelector('#form-error');
      if (confirm && password && error && confirm.value !== password.value) {
        event.preventDefault();
        error.textContent = confirm.dataset.mismatch;
        error.hidden = false;
        confirm.setAttribute('aria-invalid', 'true');
        confirm.focus();
        return;
      }
      const button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = true;
    });
  }
});
