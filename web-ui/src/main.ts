import { describeProblem, percent, summarizeRuns } from './format';

const EXAMPLE = `{"name": "lenet-300-100 magnitude 90%",
 "dataset": {"name": "fashion-mnist"},
 "model": {"type": "mlp", "hidden": [300, 100], "activation": "relu"},
 "training": {"epochs": 2, "batchSize": 128,
              "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}, "seed": 42},
 "sparsity": {"method": "magnitude", "target": 0.9}}`;

interface ExperimentItem { id: string; name: string; createdAt: string; runs: Record<string, number> }
interface RunSummary {
  id: string; seed: number; status: string; reason?: string;
  evaluation?: { testAccuracy: number; sparsity: number };
}

const specBox = document.querySelector<HTMLTextAreaElement>('#spec')!;
const result = document.querySelector<HTMLDivElement>('#submit-result')!;
const list = document.querySelector<HTMLDivElement>('#experiments')!;
specBox.value = EXAMPLE;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

document.querySelector('#submit')!.addEventListener('click', async () => {
  const text = specBox.value.trim();
  const type = text.startsWith('{') ? 'application/json' : 'application/yaml';
  const res = await fetch('/api/v1/experiments', { method: 'POST', headers: { 'Content-Type': type }, body: text });
  const body = await res.json();
  result.textContent = res.ok ? '' : describeProblem(body);
  await refresh();
});

async function refresh(): Promise<void> {
  try {
    const res = await fetch('/api/v1/experiments');
    const items: ExperimentItem[] = await res.json();
    if (items.length === 0) {
      list.textContent = 'No experiments yet: submit one above.';
      return;
    }
    const rows = await Promise.all(items.slice(0, 20).map(async (e) => {
      const detail = await (await fetch(`/api/v1/experiments/${e.id}`)).json();
      const runs = (detail.runs as RunSummary[]).map((r) =>
        `<span class="${r.status}">${r.status}</span> seed ${r.seed}` +
        (r.evaluation ? ` · acc ${percent(r.evaluation.testAccuracy)} · sparsity ${percent(r.evaluation.sparsity)}` : '') +
        (r.reason ? ` · ${escapeHtml(r.reason)}` : '')).join('<br/>');
      return `<tr><td>${escapeHtml(e.name)}</td><td>${summarizeRuns(e.runs)}</td><td>${runs}</td></tr>`;
    }));
    list.innerHTML = `<table><tr><th>Experiment</th><th>Runs</th><th>Results</th></tr>${rows.join('')}</table>`;
  } catch (err) {
    list.textContent = `Cannot reach the API: ${err}`;
  }
}

refresh();
setInterval(refresh, 3000);
