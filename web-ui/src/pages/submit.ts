/** Submit: a spec editor with the server's validation at the line, templates per method, a preview. */
import { ApiError, getJson, postSpec, type Catalog, type Preview } from '../api';
import { writableProjects } from '../session';
import { lineChart } from '../charts';
import { html, nothing, render, state } from '../dom';
import { pointerToLine, routeHash, templateFor, type Route } from '../transforms';

const DRAFT = 'sparselab.draft';

export function renderSubmit(root: HTMLElement, route: Route): () => void {
  render(html`
    <h2>Submit an experiment</h2>
    <p>Write the spec in YAML or JSON, or start from a method's template. <b>Preview</b> checks it on the server and shows
      what it will run; nothing is stored until you <b>Submit</b>.</p>
    <label>Template <select id="template"></select></label>
    <label>Project <select id="project">${writableProjects().map((p) =>
      html`<option value=${p}>${p}</option>`)}</select></label>
    <div class="editor"><pre id="gutter" aria-hidden="true"></pre><textarea id="spec" spellcheck="false"></textarea></div>
    <p><button id="preview">Preview</button> <button id="submit" class="primary">Submit</button></p>
    <div id="problems"></div>
    <div id="preview-out"></div>`, root);
  const spec = root.querySelector<HTMLTextAreaElement>('#spec')!;
  const gutter = root.querySelector<HTMLPreElement>('#gutter')!;
  const problems = root.querySelector<HTMLDivElement>('#problems')!;
  const out = root.querySelector<HTMLDivElement>('#preview-out')!;
  const select = root.querySelector<HTMLSelectElement>('#template')!;
  let bad = new Map<number, string>();
  const paint = () => {
    const n = spec.value.split('\n').length;
    render(Array.from({ length: n }, (_, i) => [i > 0 ? '\n' : '', bad.has(i + 1)
      ? html`<span class="bad" title=${bad.get(i + 1) ?? ''}>${i + 1}</span>` : `${i + 1}`]), gutter);
    gutter.scrollTop = spec.scrollTop;
  };
  spec.addEventListener('input', () => { bad = new Map(); paint(); localStorage.setItem(DRAFT, spec.value); });
  spec.addEventListener('scroll', () => { gutter.scrollTop = spec.scrollTop; });
  let catalog: Catalog | null = null;
  const options = (methods: string[]) => render(html`<option value="">— choose a method —</option>${methods.map((m) =>
    html`<option value=${m}>${m}</option>`)}`, select);
  options([]);
  getJson<Catalog>('/api/v1/catalog').then((c) => {
    catalog = c;
    options(c.methods.map((m) => m.name));
    const wanted = route.params.get('template');
    if (wanted) {
      select.value = wanted;
      select.dispatchEvent(new Event('change'));
    }
  }).catch(() => { select.disabled = true; });
  select.addEventListener('change', () => {
    const m = catalog?.methods.find((x) => x.name === select.value);
    if (m) {
      spec.value = templateFor(m);
      bad = new Map();
      render(nothing, problems);
      paint();
      history.replaceState(null, '', routeHash('submit', undefined, new URLSearchParams({ template: m.name })));
    }
  });
  spec.value = localStorage.getItem(DRAFT) ?? '';
  paint();

  const showProblems = (err: unknown) => {
    if (err instanceof ApiError && err.problem.errors) {
      bad = new Map();
      const items = err.problem.errors.map((f) => {
        const line = pointerToLine(spec.value, f.pointer);
        if (line) bad.set(line, `${f.pointer}: ${f.detail}`);
        return html`<li>${line ? html`<b>line ${line}</b> ` : ''}<code>${f.pointer || '/'}</code>: ${f.detail}</li>`;
      });
      render(html`<div class="state error" data-state="error">${err.problem.detail ?? 'invalid spec'}
        <ul id="problem-list">${items}</ul></div>`, problems);
      paint();
    } else {
      render(state('error', `Cannot reach the API: ${err}`), problems);
    }
  };

  root.querySelector('#preview')!.addEventListener('click', async () => {
    render(nothing, problems);
    render(state('loading', 'Checking…'), out);
    try {
      const { body } = await postSpec<Preview>('/api/v1/experiments/preview?maxPoints=300', spec.value);
      bad = new Map();
      paint();
      render(html`<p id="preview-runs">This spec expands to <b>${body.runs}</b> run${body.runs === 1 ? '' : 's'}
        (${body.groups.length} grid point${body.groups.length === 1 ? '' : 's'} × seeds), each
        ${body.groups[0]?.plan.totalEpochs ?? 0} epochs of ${body.groups[0]?.plan.stepsPerEpoch ?? 0} steps.</p>
        <div class="chart" id="chart-schedule"></div>`, out);
      const lines = body.groups.slice(0, 12).flatMap((g) => {
        const name = Object.entries(g.gridPoint).map(([k, v]) => `${k.replace('sparsity.', '')}=${v}`).join(' ') || 'planned';
        const ls = [{ name: `${name} sparsity`, points: g.plan.points.map((p) => [p.step, p.sparsity] as [number, number]) }];
        if (g.plan.points.some((p) => p.updateFraction != null)) {
          ls.push({ name: `${name} update fraction`, points: g.plan.points.map((p) => [p.step, p.updateFraction ?? 0] as [number, number]),
            yAxisIndex: 1, dashed: true } as never);
        }
        return ls;
      });
      lineChart(out.querySelector('#chart-schedule')!, 'Planned sparsity schedule', 'step', ['sparsity', 'update fraction'], lines);
    } catch (err) {
      render(nothing, out);
      showProblems(err);
    }
  });

  root.querySelector('#submit')!.addEventListener('click', async () => {
    render(nothing, problems);
    try {
      const project = root.querySelector<HTMLSelectElement>('#project')!.value;
      const { status, body } = await postSpec<{ id: string; duplicateOf?: string }>(
        `/api/v1/experiments${project ? `?project=${encodeURIComponent(project)}` : ''}`, spec.value);
      if (status === 200 && body.duplicateOf) {
        render(html`<div class="state empty" data-state="duplicate">Identical runs exist already:
          <a href=${routeHash('runs', undefined, new URLSearchParams({ experiment: body.id }))}>see them</a>.
          Add <code>force: true</code> to train again.</div>`, problems);
        return;
      }
      location.hash = routeHash('runs', undefined, new URLSearchParams({ experiment: body.id }));
    } catch (err) {
      showProblems(err);
    }
  });
  return () => {};
}
