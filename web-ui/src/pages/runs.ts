/** Runs: a live list with progress, filters in the URL, cancel buttons. */
import { ApiError, getJson, send, STATUSES, type RunItem } from '../api';
import { html, render, state } from '../dom';
import { onRun } from '../live';
import { formatEta, isActive, matches, progress, routeHash, upsertRun, type Route, type RunFilter } from '../transforms';
import { percent } from '../format';

export function renderRuns(root: HTMLElement, route: Route): () => void {
  const f: RunFilter = {
    experiment: route.params.get('experiment') ?? undefined, status: route.params.get('status') ?? undefined,
    method: route.params.get('method') ?? undefined, owner: route.params.get('owner') ?? undefined,
  };
  render(html`
    <h2>Runs</h2>
    <form class="filters" id="filters">
      <label>Experiment <input name="experiment" placeholder="experiment id" .value=${f.experiment ?? ''}></label>
      <label>Status <select name="status"><option value="">any</option>${STATUSES.map((s) =>
        html`<option ?selected=${s === f.status}>${s}</option>`)}</select></label>
      <label>Method <input name="method" placeholder="e.g. rigl" .value=${f.method ?? ''}></label>
      <label>User <input name="owner" placeholder="owner" .value=${f.owner ?? ''}></label>
      <button type="submit">Filter</button>
    </form>
    <div id="run-list"></div>`, root);
  const form = root.querySelector<HTMLFormElement>('#filters')!;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    new FormData(form).forEach((v, k) => { if (String(v)) p.set(k, String(v)); });
    location.hash = routeHash('runs', undefined, p);
  });
  const list = root.querySelector<HTMLDivElement>('#run-list')!;
  render(state('loading', 'Loading runs…'), list);
  let runs: RunItem[] = [];
  const draw = () => {
    const shown = runs.filter((r) => matches(r, f));
    if (shown.length === 0) {
      render(state('empty', Object.values(f).some((v) => v)
        ? 'No runs match these filters.' : 'No runs yet: submit an experiment on the Submit page.'), list);
      return;
    }
    render(html`<table class="runs"><thead><tr><th>Experiment</th><th>Method</th><th>Seed</th><th>Status</th>
      <th>Progress</th><th>Train acc.</th><th>Test acc.</th><th>User</th><th></th></tr></thead><tbody>${shown.map((r) => html`
      <tr data-run=${r.id} data-status=${r.status}>
        <td><a href="#/run/${r.id}">${r.experimentName}</a></td>
        <td>${r.method} ${r.target ? percent(r.target) : ''}</td><td>${r.seed}</td>
        <td class=${r.status}>${r.status}${r.stoppedEarly ? ' (stopped early)' : ''}${r.reason
          ? html`<div class="reason">${r.reason}</div>` : ''}</td>
        <td><div class="bar"><div style="width:${(progress(r) * 100).toFixed(1)}%"></div></div>
          <small>epoch ${r.epoch}/${r.totalEpochs} · step ${r.step}/${r.totalSteps}${r.status === 'RUNNING'
            ? ` · ETA ${formatEta(r.etaSeconds)}` : ''}</small></td>
        <td>${percent(r.trainAccuracy)}</td><td>${percent(r.testAccuracy)}</td><td>${r.owner}</td>
        <td>${isActive(r.status) ? html`<button class="cancel" data-cancel=${r.id}>Cancel</button>` : ''}</td>
      </tr>`)}</tbody></table>`, list);
  };
  list.addEventListener('click', async (e) => {
    const id = (e.target as HTMLElement).dataset.cancel;
    if (!id) return;
    try {
      await send('POST', `/api/v1/runs/${id}/cancel`);
      runs = upsertRun(runs, { ...runs.find((r) => r.id === id)!, status: 'CANCELLED' });
      draw();
    } catch (err) {
      alert(err instanceof ApiError ? `Not cancelled: ${err.message}` : `Not cancelled: ${err}`);
    }
  });
  const q = new URLSearchParams();
  Object.entries(f).forEach(([k, v]) => { if (v) q.set(k, v); });
  q.set('limit', '2000');
  getJson<RunItem[]>(`/api/v1/runs?${q}`).then((items) => { runs = items; draw(); })
    .catch((err) => { render(state('error', err instanceof ApiError
      ? `The API refused: ${err.message}` : `Cannot reach the API: ${err}`), list); });
  // a burst of events redraws once per frame
  let pending = false;
  return onRun((r) => {
    runs = upsertRun(runs, r);
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; draw(); });
    }
  });
}
