/** Login: username and password → a session cookie (HttpOnly) and a CSRF token cookie. */
import { ApiError, send } from '../api';
import { html, nothing, render, state } from '../dom';

export function renderLogin(root: HTMLElement, onLoggedIn: () => void): () => void {
  render(html`
    <h2>Log in</h2>
    <form id="login" class="login">
      <label>User <input id="username" name="username" autocomplete="username" required></label>
      <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
      <button class="primary" type="submit">Log in</button>
      <div id="login-error"></div>
    </form>
    <p class="hint">Scripts use an API token instead: <code>Authorization: Bearer slt_…</code> (create one on the
      Account page once logged in). A local platform started with <code>./sparselab up</code> wrote the admin's
      password and token to its data folder.</p>`, root);
  const form = root.querySelector<HTMLFormElement>('#login')!;
  const error = root.querySelector<HTMLDivElement>('#login-error')!;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    render(nothing, error);
    try {
      await send('POST', '/api/v1/auth/login', {
        username: root.querySelector<HTMLInputElement>('#username')!.value,
        password: root.querySelector<HTMLInputElement>('#password')!.value,
      });
      onLoggedIn();
    } catch (err) {
      render(state('error', err instanceof ApiError ? err.message : `Cannot reach the API: ${err}`), error);
    }
  });
  return () => {};
}
