/** The single-page app: a hash router over four pages; every page keeps its state in the URL. */
import { renderCompare } from './pages/compare';
import { renderRun } from './pages/run';
import { renderRuns } from './pages/runs';
import { renderSubmit } from './pages/submit';
import { parseRoute, type Route } from './transforms';

const pages: Record<string, (root: HTMLElement, route: Route) => () => void> = {
  submit: renderSubmit, runs: renderRuns, run: renderRun, compare: renderCompare,
};

const root = document.querySelector<HTMLElement>('#page')!;
let cleanup: () => void = () => {};

function route(): void {
  cleanup();
  const r = parseRoute(location.hash);
  const page = pages[r.page] ? r.page : 'runs';
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) =>
    a.classList.toggle('active', a.dataset.page === (page === 'run' ? 'runs' : page)));
  document.body.dataset.page = page;
  cleanup = pages[page](root, r);
}

window.addEventListener('hashchange', route);
route();
