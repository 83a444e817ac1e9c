import { describe, expect, it } from 'vitest';
import type { CompareRow, RunItem } from './api';
import {
  accuracyBySparsity, churnByLayer, costPoints, formatEta, matches, meanStd, parseRoute, pointerToLine,
  progress, routeHash, searchPoints, sortRows, templateFor, upsertRun,
} from './transforms';
import { parse } from 'yaml';

describe('pointerToLine', () => {
  const yaml = 'name: x\ndataset:\n  name: synthetic\ntraining:\n  epochs: 0\n  batchSize: 64\n';
  it('finds the line of a value in YAML', () => {
    expect(pointerToLine(yaml, '/training/epochs')).toBe(5);
    expect(pointerToLine(yaml, '/dataset/name')).toBe(3);
  });
  it('falls back to the deepest existing parent', () => {
    expect(pointerToLine(yaml, '/training/optimizer/learningRate')).toBe(4);
  });
  it('works on JSON and array indices', () => {
    const json = '{"name": "x",\n "model": {"hidden": [64,\n  -1]}}';
    expect(pointerToLine(json, '/model/hidden/1')).toBe(3);
    expect(pointerToLine(json, '/name')).toBe(1);
  });
});

describe('templateFor', () => {
  it('writes a valid spec with the method and its defaults', () => {
    const text = templateFor({ name: 'rigl', description: 'RigL', schema: { properties: {
      method: {}, target: { default: 0 }, deltaT: { default: 100 }, alpha: { default: 0.3 } } } });
    const spec = parse(text);
    expect(spec.sparsity).toEqual({ method: 'rigl', deltaT: 100, alpha: 0.3, target: 0.9 });
    expect(spec.dataset.name).toBe('synthetic');
  });
});

const run = (over: Partial<RunItem>): RunItem => ({
  id: 'a', experimentId: 'e', experimentName: 'exp', project: 'ann', projectId: 'p', owner: 'ann', method: 'rigl',
  target: 0.9, seed: 1,
  gridPoint: {}, status: 'RUNNING', epoch: 1, totalEpochs: 4, step: 10, totalSteps: 40, stoppedEarly: false,
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...over });

describe('run list', () => {
  it('upserts by id and keeps the newest first', () => {
    let list = upsertRun([], run({ id: 'a', createdAt: '2026-01-01T00:00:00Z' }));
    list = upsertRun(list, run({ id: 'b', createdAt: '2026-01-02T00:00:00Z' }));
    list = upsertRun(list, run({ id: 'a', status: 'SUCCEEDED' }));
    expect(list.map((r) => r.id)).toEqual(['b', 'a']);
    expect(list[1].status).toBe('SUCCEEDED');
  });
  it('filters on experiment, status, method and owner', () => {
    expect(matches(run({}), { status: 'RUNNING', method: 'rigl', owner: 'ann' })).toBe(true);
    expect(matches(run({}), { method: 'set' })).toBe(false);
    expect(matches(run({}), { experiment: 'other' })).toBe(false);
  });
  it('shows progress and time left', () => {
    expect(progress(run({ epoch: 1, totalEpochs: 4 }))).toBe(0.25);
    expect(progress(run({ status: 'EVALUATING', epoch: 3 }))).toBe(1);
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(187)).toBe('3 min 07 s');
    expect(formatEta(7500)).toBe('2 h 05 min');
    expect(formatEta(null)).toBe('—');
  });
});

describe('metrics', () => {
  it('groups mask churn by layer', () => {
    const p = [{ step: 100, epoch: 1, value: 3 }];
    const c = churnByLayer({ runId: 'r', series: [
      { name: 'mask.fc2.grown', total: 1, points: p }, { name: 'mask.fc1.dropped', total: 1, points: p },
      { name: 'mask.sparsity', total: 1, points: p }, { name: 'train.loss', total: 1, points: p }] });
    expect(Object.keys(c)).toEqual(['fc1', 'fc2']);
    expect(c.fc1.dropped).toEqual(p);
    expect(c.fc2.grown).toEqual(p);
  });
  it('leaves out the initial mask at step 0', () => {
    const c = churnByLayer({ runId: 'r', series: [{ name: 'mask.fc1.dropped', total: 2, points: [
      { step: 0, epoch: 0, value: 1900 }, { step: 100, epoch: 1, value: 12 }] }] });
    expect(c.fc1.dropped).toEqual([{ step: 100, epoch: 1, value: 12 }]);
  });
});

const row = (method: string, sparsity: number, acc: number, std: number, flops: number): CompareRow => ({
  experimentId: 'e', experimentName: 'exp', gridPoint: { 'sparsity.method': method, 'sparsity.target': sparsity },
  runs: 3, succeeded: 3, failed: 0, metrics: {
    testAccuracy: { n: 3, mean: acc, std }, sparsity: { n: 3, mean: sparsity, std: 0 },
    sparseFlops: { n: 3, mean: flops, std: 0 } } });

describe('compare', () => {
  const rows = [row('rigl', 0.9, 0.85, 0.01, 100), row('rigl', 0.5, 0.88, 0.005, 500),
    row('set', 0.9, 0.83, 0.02, 100), { ...row('dense', 0, 0.9, 0, 1000), metrics: {} }];
  it('gives one line per method, sorted by sparsity, with error bars', () => {
    const lines = accuracyBySparsity(rows, ['rigl', 'rigl', 'set', 'dense']);
    expect(Object.keys(lines)).toEqual(['rigl', 'set']);
    expect(lines.rigl.map((p) => p.x)).toEqual([0.5, 0.9]);
    expect(lines.rigl[1]).toEqual({ x: 0.9, y: 0.85, err: 0.01, row: 0 });
  });
  it('splits points into the Pareto front and the rest', () => {
    const p = costPoints(rows, 'sparseFlops', [0, 1]);
    expect(p.front.map((x) => x[2])).toEqual([0, 1]);
    expect(p.rest.map((x) => x[2])).toEqual([2]);
  });
  it('sorts rows by a metric with missing values last', () => {
    expect(sortRows(rows, 'testAccuracy', true)).toEqual([1, 0, 2, 3]);
    expect(sortRows(rows, 'testAccuracy', false)).toEqual([2, 0, 1, 3]);
    expect(meanStd(rows[0].metrics.testAccuracy)).toBe('0.850 ± 0.010');
    expect(meanStd(undefined)).toBe('—');
  });
});

describe('routes', () => {
  it('keeps the page state in the URL', () => {
    const r = parseRoute('#/runs?status=RUNNING&method=rigl');
    expect(r.page).toBe('runs');
    expect(r.params.get('status')).toBe('RUNNING');
    expect(parseRoute('#/run/abc').id).toBe('abc');
    expect(parseRoute('').page).toBe('runs');
    const p = new URLSearchParams();
    p.append('experiment', 'a');
    p.append('experiment', 'b');
    expect(routeHash('compare', undefined, p)).toBe('#/compare?experiment=a&experiment=b');
  });
});

describe('searchPoints', () => {
  const trial = (n: number, status: string, acc: number | null, flops: number, onFront: boolean) => ({
    trial: n, runId: `r${n}`, status, stoppedEarly: false, params: { 'sparsity.target': 0.5 },
    objectives: acc === null ? {} : { testAccuracy: acc, sparseFlops: flops }, onFront });
  const report = (objectives: { metric: string; mode: 'max' | 'min' }[]) => ({
    experimentId: 'e', type: 'tpe' as const, budget: 5, parallelism: 2, seed: 1, objectives, open: false,
    proposed: 4, completed: 3, front: [2, 0],
    trials: [trial(0, 'SUCCEEDED', 0.8, 100, true), trial(1, 'SUCCEEDED', 0.7, 200, false),
      trial(2, 'SUCCEEDED', 0.9, 300, true), trial(3, 'FAILED', null, 0, false)] as never,
  });

  it('splits two objectives into the Pareto set, ordered along the first, and the rest', () => {
    const p = searchPoints(report([{ metric: 'testAccuracy', mode: 'max' }, { metric: 'sparseFlops', mode: 'min' }]));
    expect(p.front).toEqual([[0.8, 100, 0], [0.9, 300, 2]]);
    expect(p.rest).toEqual([[0.7, 200, 1]]);
  });

  it('gives the best so far by trial for one objective, failed trials left out', () => {
    expect(searchPoints(report([{ metric: 'testAccuracy', mode: 'max' }])).best).toEqual([[0, 0.8], [1, 0.8], [2, 0.9]]);
    expect(searchPoints(report([{ metric: 'sparseFlops', mode: 'min' }])).best).toEqual([[0, 100], [1, 100], [2, 100]]);
  });
});
