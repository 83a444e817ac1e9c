/** Compare: experiments side by side: the grid-point table, accuracy against sparsity, cost and latency. */
import { ApiError, getJson, type Comparison, type MetricsView, type SearchReport } from '../api';
import { chartState, errorBarChart, lineChart, paretoChart, searchChart } from '../charts';
import { html, render, state } from '../dom';
import {
  accuracyBySparsity, costPoints, label, meanStd, methodOf, routeHash, searchPoints, series, sortRows, type Route,
} from '../transforms';

interface ExperimentItem { id: string; name: string; createdAt: string; runs: Record<string, number> }
interface ExperimentView { id: string; name: string; spec: { sparsity?: { method?: string }; sweep?: { search?: unknown } };
  runs: { id: string; seed: number; status: string; gridPoint: Record<string, unknown> }[] }

const COLUMNS: [string, string, number][] = [['testAccuracy', 'test accuracy', 4], ['sparsity', 'sparsity', 3],
  ['flopReduction', 'FLOP reduction', 2], ['sparseFlops', 'sparse FLOPs', 0], ['compressedBytes', 'size (B)', 0],
  ['trainingFlopsRatio', 'training FLOPs × dense', 3], ['latencyMsBatch256', 'latency ms (256)', 3],
  ['speedupBatch256', 'speed-up (256)', 2], ['trainSeconds', 'train s', 1]];

export function renderCompare(root: HTMLElement, route: Route): () => void {
  const selected = route.params.getAll('experiment');
  const overlay = route.params.getAll('run');
  const sort = route.params.get('sort') ?? 'testAccuracy';
  const desc = route.params.get('dir') !== 'asc';
  const go = (mut: (p: URLSearchParams) => void) => {
    const p = new URLSearchParams(route.params);
    mut(p);
    location.hash = routeHash('compare', undefined, p);
  };
  render(html`<h2>Compare</h2><div id="picker"></div><div id="cmp"></div>`, root);
  const picker = root.querySelector<HTMLDivElement>('#picker')!;
  const cmp = root.querySelector<HTMLDivElement>('#cmp')!;
  render(state('loading', 'Loading experiments…'), picker);
  getJson<ExperimentItem[]>('/api/v1/experiments?limit=200').then((items) => {
    if (items.length === 0) {
      render(state('empty', 'No experiments yet: submit one first.'), picker);
      return;
    }
    render(html`<details ?open=${!selected.length}><summary>Experiments (${selected.length} chosen)</summary>
      <div class="picklist">${items.map((e) => html`<label><input type="checkbox" data-exp=${e.id} ?checked=${selected.includes(e.id)}>
      ${e.name} <small>${e.createdAt.slice(0, 16).replace('T', ' ')}</small></label>`)}</div></details>`, picker);
    picker.addEventListener('change', (e) => {
      const id = (e.target as HTMLInputElement).dataset.exp;
      if (!id) return;
      go((p) => {
        const now = p.getAll('experiment').filter((x) => x !== id);
        if ((e.target as HTMLInputElement).checked) now.push(id);
        p.delete('experiment');
        now.forEach((x) => p.append('experiment', x));
      });
    });
  }).catch((err) => { render(state('error', `Cannot reach the API: ${err}`), picker); });

  if (selected.length === 0) {
    render(state('empty', 'Choose one or more experiments to compare.'), cmp);
    return () => {};
  }
  render(state('loading', 'Comparing…'), cmp);
  const q = selected.map((id) => `experiment=${encodeURIComponent(id)}`).join('&');
  Promise.all([getJson<Comparison>(`/api/v1/compare?${q}`),
    Promise.all(selected.map((id) => getJson<ExperimentView>(`/api/v1/experiments/${id}`)))])
    .then(async ([c, views]) => {
      const baseMethod: Record<string, string> = {};
      views.forEach((v) => { baseMethod[v.id] = v.spec.sparsity?.method ?? 'dense'; });
      const methods = c.rows.map((r) => methodOf(r, baseMethod));
      const order = sortRows(c.rows, sort, desc);
      const th = (key: string, name: string) => html`<th><a href=${routeHash('compare', undefined, (() => {
        const p = new URLSearchParams(route.params);
        p.set('sort', key);
        p.set('dir', sort === key && desc ? 'asc' : 'desc');
        return p;
      })())} data-sort=${key}>${name}${sort === key ? (desc ? ' ▼' : ' ▲') : ''}</a></th>`;
      const frontF = new Set(c.pareto.accuracyVsFlops);
      render(html`
        <div class="grid2"><div class="chart" id="chart-sparsity"></div><div class="chart" id="chart-flops"></div></div>
        <div class="grid2"><div class="chart" id="chart-latency"></div><div class="chart" id="chart-overlay"></div></div>
        <h3>Grid points (mean ± std over seeds)</h3>
        <table class="compare" id="compare-table"><thead><tr>${th('label', 'grid point')}<th>method</th><th>runs</th>
          ${COLUMNS.map(([k, n]) => th(k, n))}</tr></thead><tbody>${order.map((i) => {
            const r = c.rows[i];
            return html`<tr data-row=${i} class=${frontF.has(i) ? 'front' : ''}><td>${label(r)}</td><td>${methods[i]}</td>
              <td>${r.succeeded}/${r.runs}${r.failed ? ` (${r.failed} failed)` : ''}</td>
              ${COLUMNS.map(([k, , d]) => html`<td data-metric=${k}>${meanStd(r.metrics[k], d)}</td>`)}</tr>`;
          })}</tbody></table>
        <div id="searches"></div>
        <h3>Loss curves</h3>
        <div class="picklist" id="overlay-pick">${views.flatMap((v) => v.runs.map((r) => html`<label><input type="checkbox" data-run=${r.id}
          ?checked=${overlay.includes(r.id)}> ${v.name} · ${Object.values(r.gridPoint ?? {}).join(' ')}
          seed ${r.seed}</label>`)).slice(0, 1000)}</div>`, cmp);
      const labels = c.rows.map(label);
      errorBarChart(cmp.querySelector('#chart-sparsity')!, 'Test accuracy against sparsity (mean ± std)', 'sparsity',
        'test accuracy', accuracyBySparsity(c.rows, methods));
      const f = costPoints(c.rows, 'sparseFlops', c.pareto.accuracyVsFlops);
      paretoChart(cmp.querySelector('#chart-flops')!, 'Accuracy against inference FLOPs', 'sparse FLOPs', f.front, f.rest, labels, true);
      const l = costPoints(c.rows, 'latencyMsBatch256', c.pareto.accuracyVsLatency);
      paretoChart(cmp.querySelector('#chart-latency')!, 'Accuracy against latency (batch 256)', 'ms', l.front, l.rest, labels, false);
      cmp.querySelector('#overlay-pick')!.addEventListener('change', (e) => {
        const id = (e.target as HTMLInputElement).dataset.run;
        if (!id) return;
        go((p) => {
          const now = p.getAll('run').filter((x) => x !== id);
          if ((e.target as HTMLInputElement).checked) now.push(id);
          p.delete('run');
          now.forEach((x) => p.append('run', x));
        });
      });
      await renderSearches(cmp.querySelector<HTMLElement>('#searches')!, views.filter((v) => v.spec.sweep?.search));
      const overlayEl = cmp.querySelector<HTMLElement>('#chart-overlay')!;
      if (overlay.length === 0) {
        chartState(overlayEl, 'empty', 'Tick runs below to overlay their loss curves.');
      } else {
        const ms = await Promise.all(overlay.map((id) => getJson<MetricsView>(`/api/v1/runs/${id}/metrics?name=train.loss&maxPoints=1000`)));
        lineChart(overlayEl, 'Training loss', 'step', ['loss'], ms.map((m, i) => ({ name: overlay[i].slice(0, 8),
          points: series(m, 'train.loss').map((p) => [p.step, p.value] as [number, number]) })), { zoom: true });
      }
    })
    .catch((err) => {
      render(state('error', err instanceof ApiError ? `The API refused: ${err.message}` : `Cannot reach the API: ${err}`), cmp);
    });
  return () => {};
}

/** Each search among the experiments: its trials (values, objectives, Pareto set marked) and a chart of them. */
async function renderSearches(el: HTMLElement, searches: { id: string; name: string }[]): Promise<void> {
  const reports = await Promise.all(searches.map((v) => getJson<SearchReport>(`/api/v1/experiments/${v.id}/search`)));
  render(reports.map((r, i) => {
    const paths = Object.keys(r.trials[0]?.params ?? {});
    return html`<h3>Search: ${searches[i].name}</h3>
      <p class="search-summary">${r.type}, ${r.proposed} of ${r.budget} trials proposed, ${r.completed}
        completed${r.open ? '' : ' (closed)'}; Pareto set: trials ${r.front.join(', ')}</p>
      <div class="chart" id="search-chart-${i}"></div>
      <table class="compare search-trials" data-search=${r.experimentId}><thead><tr><th>trial</th><th>status</th>
        ${paths.map((p) => html`<th>${p}</th>`)}
        ${r.objectives.map((o) => html`<th>${o.metric} (${o.mode})</th>`)}<th>Pareto</th></tr></thead>
      <tbody>${r.trials.map((t) => html`<tr class=${t.onFront ? 'front' : ''} data-trial=${t.trial}>
        <td><a href="#/run/${encodeURIComponent(t.runId)}">${t.trial}</a></td><td>${t.status}${t.stoppedEarly ? ' (stopped early)' : ''}</td>
        ${paths.map((p) => html`<td>${typeof t.params[p] === 'number' ? Number(t.params[p]).toPrecision(4) : JSON.stringify(t.params[p])}</td>`)}
        ${r.objectives.map((o) => html`<td>${o.metric in t.objectives ? t.objectives[o.metric].toPrecision(4) : ''}</td>`)}
        <td>${t.onFront ? '★' : ''}</td></tr>`)}</tbody></table>`;
  }), el);
  reports.forEach((r, i) => {
    const chart = el.querySelector<HTMLElement>(`#search-chart-${i}`)!;
    const p = searchPoints(r);
    if (r.objectives.length >= 2) {
      searchChart(chart, 'Trials and their Pareto set', r.objectives[0].metric, r.objectives[1].metric, p.front, p.rest);
    } else {
      lineChart(chart, `Best ${r.objectives[0].metric} so far`, 'trial', [r.objectives[0].metric],
        [{ name: 'best so far', points: p.best }]);
    }
  });
}
