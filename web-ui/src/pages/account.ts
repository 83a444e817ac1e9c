/** Account: who you are, your projects and roles, and your API tokens (create: shown once; revoke). */
import { ApiError, getJson, send, type TokenInfo } from '../api';
import { html, render, state } from '../dom';
import { currentUser } from '../session';

export function renderAccount(root: HTMLElement): () => void {
  const me = currentUser();
  if (!me) {
    render(state('error', 'Not logged in.'), root);
    return () => {};
  }
  render(html`
    <h2>${me.username}${me.admin ? html` <small>(administrator)</small>` : ''}</h2>
    <h3>Projects</h3>
    <table><thead><tr><th>project</th><th>role</th></tr></thead><tbody>${me.projects.map((p) =>
      html`<tr><td>${p.name}</td><td>${p.role}</td></tr>`)}</tbody></table>
    <h3>API tokens</h3>
    <form id="new-token" class="filters">
      <label>Name <input id="token-name" required maxlength="100"></label>
      <label>Expires in days <input id="token-days" type="number" min="1" max="3650" value="90"></label>
      <button class="primary" type="submit">Create token</button>
    </form>
    <div id="token-new"></div>
    <div id="tokens"></div>`, root);
  const list = root.querySelector<HTMLDivElement>('#tokens')!;
  const created = root.querySelector<HTMLDivElement>('#token-new')!;
  render(state('loading', 'Loading tokens…'), list);
  const load = async () => {
    try {
      const tokens = await getJson<TokenInfo[]>('/api/v1/tokens');
      render(tokens.length === 0 ? state('empty', 'No tokens yet.') : html`<table><thead><tr><th>name</th>
        <th>starts with</th><th>created</th><th>expires</th><th>last used</th><th></th></tr></thead><tbody>${tokens.map((t) =>
        html`<tr><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${t.createdAt}</td>
          <td>${t.expiresAt ?? 'never'}</td><td>${t.lastUsedAt ?? '—'}</td>
          <td>${t.revokedAt ? 'revoked' : html`<button data-revoke=${t.id}>Revoke</button>`}</td></tr>`)}</tbody></table>`,
      list);
    } catch (err) {
      render(state('error', err instanceof ApiError ? err.message : String(err)), list);
    }
  };
  root.querySelector<HTMLFormElement>('#new-token')!.addEventListener('submit', async (e) => {
    e.preventDefault();
    const days = root.querySelector<HTMLInputElement>('#token-days')!.value;
    try {
      const { body } = await send<{ token: string }>('POST', '/api/v1/tokens', {
        name: root.querySelector<HTMLInputElement>('#token-name')!.value,
        expiresInDays: days ? Number(days) : undefined,
      });
      render(html`<div class="state empty" data-state="token">Your new token (it is shown only now):
        <code id="token-secret">${body.token}</code></div>`, created);
      await load();
    } catch (err) {
      render(state('error', err instanceof ApiError ? err.message : String(err)), created);
    }
  });
  list.addEventListener('click', async (e) => {
    const id = (e.target as HTMLElement).dataset.revoke;
    if (!id) return;
    await send('DELETE', `/api/v1/tokens/${id}`).catch(() => undefined);
    await load();
  });
  load();
  return () => {};
}
