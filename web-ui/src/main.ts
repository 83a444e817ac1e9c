/**
 * The single-page app: a hash router over its pages; every page keeps its state in the URL. Without a session
 * (or when one ends: any 401) it shows the login page.
 */
import { send } from './api';
import { html, nothing, render } from './dom';
import { renderAccount } from './pages/account';
import { renderCompare } from './pages/compare';
import { renderLogin } from './pages/login';
import { renderRun } from './pages/run';
import { renderRuns } from './pages/runs';
import { renderSubmit } from './pages/submit';
import { currentUser, loadMe } from './session';
import { parseRoute, type Route } from './transforms';

const pages: Record<string, (root: HTMLElement, route: Route) => () => void> = {
  submit: renderSubmit, runs: renderRuns, run: renderRun, compare: renderCompare, account: renderAccount,
};

const root = document.querySelector<HTMLElement>('#page')!;
const who = document.querySelector<HTMLElement>('#who')!;
let cleanup: () => void = () => {};

function route(): void {
  cleanup();
  // a page starts from an empty root: its elements (and the listeners it adds to them) are its own
  render(nothing, root);
  const me = currentUser();
  document.querySelector<HTMLElement>('nav')!.hidden = !me;
  if (!me) {
    document.body.dataset.page = 'login';
    render(nothing, who);
    cleanup = renderLogin(root, () => start());
    return;
  }
  render(html`<a href="#/account" data-page="account">${me.username}</a>
    <button id="logout" @click=${async () => {
      await send('POST', '/api/v1/auth/logout').catch(() => undefined);
      location.reload();
    }}>Log out</button>`, who);
  const r = parseRoute(location.hash);
  const page = pages[r.page] ? r.page : 'runs';
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) =>
    a.classList.toggle('active', a.dataset.page === (page === 'run' ? 'runs' : page)));
  document.body.dataset.page = page;
  cleanup = pages[page](root, r);
}

async function start(): Promise<void> {
  await loadMe();
  route();
}

window.addEventListener('hashchange', route);
window.addEventListener('sparselab:logged-out', () => {
  if (currentUser()) location.reload();
});
start();
