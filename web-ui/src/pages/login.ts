/** Login: username and password → a session cookie (HttpOnly) and a CSRF token cookie. */
import { ApiError, send } from '../api';
import { escapeHtml } from '../dom';

export function renderLogin(root: HTMLElement, onLoggedIn: () => void): () => void {
  root.innerHTML = `
    <h2>Log in</h2>
    <form id="login" class="login">
      <label>User <input id="username" name="username" autocomplete="username" required></label>
      <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
      <button class="primary" type="submit">Log in</button>
      <div id="login-error"></div>
    </form>
    <p class="hint">Scripts use an API token instead: <code>Authorization: Bearer slt_…</code> (create one on the
      Account page once logged in). A local platform started with <code>./sparselab up</code> wrote the admin's
      password and token to its data folder.</p>`;
  const form = root.querySelector<HTMLFormElement>('#login')!;
  const error = root.querySelector<HTMLDivElement>('#login-error')!;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.innerHTML = '';
    try {
      await send('POST', '/api/v1/auth/login', {
        username: root.querySelector<HTMLInputElement>('#username')!.value,
        password: root.querySelector<HTMLInputElement>('#password')!.value,
      });
      onLoggedIn();
    } catch (err) {
      error.innerHTML = `<div class="state error" data-state="error">${escapeHtml(err instanceof ApiError
        ? err.message : `Cannot reach the API: ${err}`)}</div>`;
    }
  });
  return () => {};
}
