/** One run: live curves, per-layer sparsity, mask churn, evaluation, provenance, downloads. */
import { ApiError, getJson, send, type MetricsView } from '../api';
import { barChart, chartState, lineChart } from '../charts';
import { download, html, render, state } from '../dom';
import { percent } from '../format';
import { onRun } from '../live';
import { churnByLayer, series, type Route } from '../transforms';

interface Layer { name: string; shape: number[]; parameters: number; nonZero: number; sparsity: number }
interface Latency { batch: number; denseMs: number; cooMs: number; csrMs: number; sparseMs: number; speedup: number; condensedMs?: number | null }
interface Block { name: string; kind: string; load: number[] | null; droppedFraction: number; imbalance: number; coverage: number }
interface Conditional { task: string; bitsPerCharacter?: number; perplexity?: number; totalParameters: number;
  activeParameters: number; attentionDensity?: number; blocks: Block[] }
interface RunView {
  id: string; experimentId: string; seed: number; spec: Record<string, any>; status: string; reason?: string;
  trainer?: string; device?: string; createdAt: string; startedAt?: string; finishedAt?: string;
  provenance?: Record<string, unknown>; artifactSha256?: string;
  scheduling: { owner: string; priority: string; attempt: number; resumedFromStep?: number; stoppedEarly: boolean };
  evaluation?: { testAccuracy: number; top5Accuracy?: number; testLoss: number; sparsity: number; parameters: number;
    nonZero: number; allWeights?: { parameters: number; nonZero: number; sparsity: number }; layers: Layer[]; cost: Record<string, number>; latency: Latency[]; conditional?: Conditional | null } | null;
}

export function renderRun(root: HTMLElement, route: Route): () => void {
  const id = route.id!;
  render(state('loading', 'Loading run…'), root);
  let busy = false;
  const load = async () => {
    if (busy) return;
    busy = true;
    try {
      const [run, metrics] = await Promise.all([getJson<RunView>(`/api/v1/runs/${id}`),
        getJson<MetricsView>(`/api/v1/runs/${id}/metrics?maxPoints=2000`)]);
      draw(root, run, metrics);
    } catch (err) {
      render(state('error', err instanceof ApiError && err.status === 404
        ? `There is no run ${id}.` : `Cannot load the run: ${err}`), root);
    } finally {
      busy = false;
    }
  };
  load();
  let last = 0;
  return onRun((r) => {
    if (r.id === id && Date.now() - last > 1500) {
      last = Date.now();
      load();
    }
  });
}

/** The trained model's downloads and the run's tags (add: a name; remove: ×; "champion" is one run per experiment). */
async function drawModel(el: HTMLElement, id: string): Promise<void> {
  let tags: string[];
  try {
    tags = await getJson<string[]>(`/api/v1/runs/${id}/tags`);
  } catch {
    return;
  }
  const base = `/api/v1/runs/${id}/model`;
  const change = async (method: string, tag: string) => {
    try {
      await send(method, `/api/v1/runs/${id}/tags/${encodeURIComponent(tag)}`);
      el.querySelector<HTMLInputElement>('#tag-name')!.value = '';
      await drawModel(el, id);
    } catch (err) {
      el.querySelector<HTMLElement>('#tag-error')!.textContent = err instanceof ApiError
        ? (err.problem?.errors?.[0]?.detail ?? err.message) : String(err);
    }
  };
  const add = () => {
    const tag = el.querySelector<HTMLInputElement>('#tag-name')!.value.trim();
    if (tag) change('PUT', tag);
  };
  render(html`<h3>Model</h3>
    <p id="model-downloads"><a href="${base}?format=safetensors" download>safetensors</a>
      · <a href="${base}?format=safetensors-csr" download>safetensors (compressed rows)</a>
      · <a href="${base}?format=sparselab" download>as stored</a> · <a href="${base}/card" target="_blank">model card</a>
      <span class="muted">(available once trained)</span></p>
    <p>Tags: <span id="run-tags">${tags.length ? tags.map((t) => html`<span class="tag">${t}
      <button class="untag" data-tag=${t} title="remove" @click=${() => change('DELETE', t)}>×</button></span> `)
      : html`<span class="muted">none</span>`}</span>
      <input id="tag-name" placeholder="tag, e.g. champion" maxlength="63" size="18"> <button id="tag-add"
        @click=${add}>Tag</button>
      <span id="tag-error" class="reason"></span></p>`, el);
  el.querySelector<HTMLElement>('#tag-error')!.textContent = '';
}

function draw(root: HTMLElement, run: RunView, m: MetricsView): void {
  if (!root.querySelector('#run-head')) {
    render(html`<div id="run-head"></div>
      <div class="grid2"><div class="chart" id="chart-loss"></div><div class="chart" id="chart-acc"></div></div>
      <div class="grid2"><div class="chart" id="chart-layers"></div><div class="chart" id="chart-churn"></div></div>
      <div id="run-model"></div><div id="run-eval"></div><div id="run-prov"></div>`, root);
    drawModel(root.querySelector<HTMLElement>('#run-model')!, run.id);
    root.querySelector('#run-head')!.addEventListener('click', async (e) => {
      const what = (e.target as HTMLElement).dataset.download;
      if (what === 'spec') {
        download(`run-${run.id}-spec.json`, 'application/json', JSON.stringify(run.spec, null, 2));
      } else if (what === 'csv') {
        const res = await fetch(`/api/v1/runs/${run.id}/metrics`, { headers: { Accept: 'text/csv' } });
        download(`run-${run.id}-metrics.csv`, 'text/csv', await res.text());
      }
    });
  }
  const sp = run.spec.sparsity ?? { method: 'dense' };
  render(html`
    <h2>Run <code>${run.id.slice(0, 8)}</code> · ${run.spec.name}</h2>
    <p><span class=${run.status} id="run-status">${run.status}</span>${run.scheduling.stoppedEarly ? ' (stopped early)' : ''}
      · method <b>${sp.method}</b>${sp.target ? ` at ${percent(sp.target)}` : ''} · seed ${run.seed}
      · owner ${run.scheduling.owner} · priority ${run.scheduling.priority}
      · attempt ${run.scheduling.attempt}${run.scheduling.resumedFromStep ? ` (resumed at step ${run.scheduling.resumedFromStep})` : ''}
      · <a href="#/runs?experiment=${run.experimentId}">experiment's runs</a>
      · <a href="#/compare?experiment=${run.experimentId}">compare</a></p>
    ${run.reason ? html`<p class="reason">${run.reason}</p>` : ''}
    <p><button data-download="spec">Download spec</button> <button data-download="csv">Download metrics (CSV)</button></p>`,
  root.querySelector<HTMLElement>('#run-head')!);
  const pts = (name: string) => series(m, name).map((p) => [p.step, p.value] as [number, number]);
  lineChart(root.querySelector('#chart-loss')!, 'Training loss', 'step', ['loss'], [{ name: 'train.loss', points: pts('train.loss') }],
    { zoom: true });
  lineChart(root.querySelector('#chart-acc')!, 'Accuracy and sparsity', 'step', ['fraction'], [
    { name: 'train.accuracy', points: pts('train.accuracy') }, { name: 'sparsity', points: pts('sparsity'), dashed: true },
    ...(series(m, 'prune.target').length ? [{ name: 'prune.target', points: pts('prune.target'), dashed: true }] : []),
  ], { zoom: true });
  const layers = run.evaluation?.layers ?? [];
  const layerEl = root.querySelector<HTMLElement>('#chart-layers')!;
  const routed = (run.evaluation?.conditional?.blocks ?? []).filter((b) => b.load);
  if (routed.length) {
    // conditional models: which experts the test tokens went to, per block (1 / experts = balanced)
    barChart(layerEl, 'Expert load per block (test split)', routed[0].load!.map((_, i) => `e${i}`),
      routed.map((b) => ({ name: b.name, values: b.load! })), 'fraction of tokens');
  } else if (layers.length) {
    barChart(layerEl, 'Sparsity per layer (evaluated model)', layers.map((l) => l.name),
      [{ name: 'sparsity', values: layers.map((l) => l.sparsity) }], 'sparsity');
  } else {
    const last: Record<string, number> = {};
    for (const s of m.series) {
      const match = /^mask\.(.+)\.sparsity$/.exec(s.name);
      if (match && s.points.length) last[match[1]] = s.points[s.points.length - 1].value;
    }
    if (Object.keys(last).length) {
      barChart(layerEl, 'Mask sparsity per layer (so far)', Object.keys(last), [{ name: 'sparsity', values: Object.values(last) }],
        'sparsity');
    } else {
      chartState(layerEl, 'empty', 'Per-layer sparsity appears when the run is evaluated.');
    }
  }
  const churn = churnByLayer(m);
  const churnEl = root.querySelector<HTMLElement>('#chart-churn')!;
  if (Object.keys(churn).length) {
    const lines = Object.entries(churn).flatMap(([layer, c]) => [
      { name: `${layer} dropped`, points: c.dropped.map((p) => [p.step, p.value] as [number, number]) },
      { name: `${layer} grown`, points: c.grown.map((p) => [p.step, p.value] as [number, number]), dashed: true },
      { name: `${layer} IoU`, points: c.iou.map((p) => [p.step, p.value] as [number, number]), yAxisIndex: 1 },
    ]);
    lineChart(churnEl, 'Mask churn (dropped / grown connections, IoU with previous mask)', 'step', ['connections', 'IoU'], lines,
      { zoom: true });
  } else if (m.series.some((s) => /^ffn\..+\.load\.\d+$/.test(s.name))) {
    // conditional models: each expert's share of the tokens per epoch, per block
    const loads = m.series.filter((s) => /^ffn\..+\.load\.\d+$/.test(s.name));
    lineChart(churnEl, 'Expert load over training (fraction of tokens per epoch)', 'step', ['fraction'],
      loads.map((s) => ({ name: s.name.slice(4), points: s.points.map((p) => [p.step, p.value] as [number, number]) })),
      { zoom: true });
  } else {
    chartState(churnEl, 'empty', 'No mask updates: this method keeps its mask fixed.');
  }
  const e = run.evaluation;
  const c = e?.conditional;
  const conditionalRows = c ? html`
      ${c.bitsPerCharacter != null ? html`<tr><th>bits per character</th><td id="eval-bpc">${c.bitsPerCharacter.toFixed(4)} (perplexity ${c.perplexity!.toFixed(3)})</td></tr>` : ''}
      <tr><th>active parameters</th><td>${c.activeParameters.toLocaleString()} per ${c.task === 'classification' ? 'example' : 'token'} of ${c.totalParameters.toLocaleString()}</td></tr>
      ${c.attentionDensity != null ? html`<tr><th>attention density</th><td>${c.attentionDensity.toFixed(4)}</td></tr>` : ''}
      ${c.blocks.map((b) => html`<tr><th>${b.name} (${b.kind})</th><td>max/mean load ${b.imbalance.toFixed(2)},
        dropped ${percent(b.droppedFraction)}, experts used ${percent(b.coverage)}</td></tr>`)}` : '';
  render(e ? html`
    <h3>Evaluation</h3>
    <table class="kv"><tr><th>test accuracy</th><td id="eval-accuracy">${e.testAccuracy.toFixed(4)}</td></tr>${conditionalRows}
      ${e.top5Accuracy != null ? html`<tr><th>top-5 accuracy</th><td>${e.top5Accuracy.toFixed(4)}</td></tr>` : ''}
      <tr><th>test loss</th><td>${e.testLoss.toFixed(4)}</td></tr>
      <tr><th>sparsity (sparsified layers)</th><td id="eval-sparsity">${e.sparsity.toFixed(4)} (${e.nonZero.toLocaleString()} of ${e.parameters.toLocaleString()} weights non-zero)</td></tr>
      ${e.allWeights ? html`<tr><th>sparsity (all weights)</th><td id="eval-sparsity-all">${e.allWeights.sparsity.toFixed(4)} (${e.allWeights.nonZero.toLocaleString()} of ${e.allWeights.parameters.toLocaleString()} weights non-zero)</td></tr>` : ''}
      <tr><th>inference FLOPs</th><td>${Math.round(e.cost.sparseFlops).toLocaleString()} sparse vs ${Math.round(e.cost.denseFlops).toLocaleString()} dense</td></tr>
      <tr><th>size</th><td>${Math.round(e.cost.compressedBytes).toLocaleString()} B compressed vs ${Math.round(e.cost.denseBytes).toLocaleString()} B dense</td></tr>
      ${e.cost.trainingFlopsRatio ? html`<tr><th>training FLOPs</th><td>${e.cost.trainingFlopsRatio.toFixed(3)} × dense</td></tr>` : ''}
    </table>
    ${c ? html`<table><tr><th>batch</th><th>dense reference ms</th><th>routed / sparse ms</th><th>speed-up</th></tr>${e.latency.map((l) =>
      html`<tr><td>${l.batch}</td><td>${l.denseMs.toFixed(3)}</td><td>${l.sparseMs.toFixed(3)}</td><td>${l.speedup.toFixed(2)}×</td></tr>`)}</table>`
    : html`<table><tr><th>batch</th><th>dense ms</th><th>COO ms</th><th>CSR ms</th>${e.latency.some((l) => l.condensedMs != null)
      ? html`<th>condensed ms</th>` : ''}<th>speed-up</th></tr>${e.latency.map((l) =>
      html`<tr><td>${l.batch}</td><td>${l.denseMs.toFixed(3)}</td><td>${l.cooMs.toFixed(3)}</td><td>${l.csrMs.toFixed(3)}</td>
       ${l.condensedMs != null ? html`<td>${l.condensedMs.toFixed(3)}</td>` : ''}<td>${l.speedup.toFixed(2)}×</td></tr>`)}</table>`}`
    : state('empty', run.status === 'FAILED' || run.status === 'CANCELLED' ? 'No evaluation: the run did not finish.'
      : 'The evaluation appears when training ends.'), root.querySelector<HTMLElement>('#run-eval')!);
  render(run.provenance ? html`<h3>Provenance</h3><table class="kv">${Object.entries(run.provenance)
    .map(([k, v]) => html`<tr><th>${k}</th><td>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</td></tr>`)}
    <tr><th>trainer</th><td>${run.trainer} (${run.device})</td></tr>
    <tr><th>artifact</th><td><code>${run.artifactSha256}</code></td></tr></table>` : '',
  root.querySelector<HTMLElement>('#run-prov')!);
}
