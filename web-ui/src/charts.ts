/** Charts on Apache ECharts (modular import: only what the pages use). */
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ErrorBarPoint } from './transforms';

echarts.use([LineChart, BarChart, ScatterChart, CustomChart, GridComponent, TooltipComponent, LegendComponent,
  TitleComponent, DataZoomComponent, CanvasRenderer]);

const charts = new WeakMap<HTMLElement, echarts.ECharts>();

/** The chart living in an element (created on first use, resized with the window). */
export function chartIn(el: HTMLElement): echarts.ECharts {
  let c = charts.get(el);
  if (!c) {
    el.replaceChildren(); // a message shown there before (chartState)
    c = echarts.init(el, undefined, { renderer: 'canvas' });
    charts.set(el, c);
    const chart = c;
    window.addEventListener('resize', () => { if (!chart.isDisposed()) chart.resize(); });
  }
  return c;
}

/** A message in a chart's element instead of a chart (the element is ECharts', not lit-html's): its text only. */
export function chartState(el: HTMLElement, kind: 'loading' | 'empty' | 'error', text: string): void {
  charts.get(el)?.dispose();
  charts.delete(el);
  const div = document.createElement('div');
  div.className = `state ${kind}`;
  div.dataset.state = kind;
  div.textContent = text;
  el.replaceChildren(div);
  delete el.dataset.plotted;
}

export interface Line { name: string; points: [number, number][]; yAxisIndex?: number; dashed?: boolean }

/** Lines over a numeric x axis (large series are sampled by ECharts with LTTB). */
export function lineChart(el: HTMLElement, title: string, xName: string, yNames: string[], lines: Line[],
                          opts: { logX?: boolean; zoom?: boolean } = {}): void {
  el.dataset.plotted = JSON.stringify(lines.map((l) => ({ name: l.name, n: l.points.length })));
  chartIn(el).setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 22, type: 'scroll' },
    grid: { top: 60, left: 55, right: yNames.length > 1 ? 55 : 20, bottom: opts.zoom ? 60 : 35 },
    xAxis: { type: opts.logX ? 'log' : 'value', name: xName, nameLocation: 'middle', nameGap: 25, scale: true },
    yAxis: yNames.map((n) => ({ type: 'value', name: n, scale: true })),
    dataZoom: opts.zoom ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }] : [],
    series: lines.map((l) => ({
      name: l.name, type: 'line', showSymbol: l.points.length < 60, sampling: 'lttb', large: true,
      yAxisIndex: l.yAxisIndex ?? 0, data: l.points, lineStyle: l.dashed ? { type: 'dashed' } : undefined,
    })),
  }, true);
}

export function barChart(el: HTMLElement, title: string, categories: string[], bars: { name: string; values: number[] }[],
                         yName: string): void {
  el.dataset.plotted = JSON.stringify({ categories, bars });
  chartIn(el).setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 22 },
    grid: { top: 60, left: 55, right: 20, bottom: 35 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', name: yName, max: yName === 'sparsity' ? 1 : undefined },
    series: bars.map((b) => ({ name: b.name, type: 'bar', data: b.values })),
  }, true);
}

/** Lines with vertical error bars (mean ± std), one per method. */
export function errorBarChart(el: HTMLElement, title: string, xName: string, yName: string,
                              lines: Record<string, ErrorBarPoint[]>): void {
  el.dataset.plotted = JSON.stringify(lines);
  const series: unknown[] = [];
  for (const [name, pts] of Object.entries(lines)) {
    series.push({ name, type: 'line', data: pts.map((p) => [p.x, p.y]), symbolSize: 7 });
    series.push({
      name, type: 'custom', data: pts.map((p) => [p.x, p.y - p.err, p.y + p.err]), z: 1,
      renderItem: (_: unknown, api: { value: (i: number) => number; coord: (v: number[]) => number[];
        style: (o?: object) => object }) => {
        const lo = api.coord([api.value(0), api.value(1)]);
        const hi = api.coord([api.value(0), api.value(2)]);
        const style = api.style({ stroke: (api.style() as { fill?: string }).fill, fill: undefined, lineWidth: 1.5 });
        return { type: 'group', children: [
          { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
          { type: 'line', shape: { x1: lo[0] - 4, y1: lo[1], x2: lo[0] + 4, y2: lo[1] }, style },
          { type: 'line', shape: { x1: hi[0] - 4, y1: hi[1], x2: hi[0] + 4, y2: hi[1] }, style },
        ] };
      },
    });
  }
  chartIn(el).setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item' },
    legend: { top: 22, type: 'scroll' },
    grid: { top: 60, left: 55, right: 20, bottom: 35 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 25, scale: true },
    yAxis: { type: 'value', name: yName, scale: true },
    series,
  }, true);
}

/** Accuracy against a cost, the Pareto front as a highlighted line over all points. */
export function paretoChart(el: HTMLElement, title: string, xName: string, front: [number, number, number][],
                            rest: [number, number, number][], labels: string[], logX: boolean): void {
  el.dataset.plotted = JSON.stringify({ front, rest });
  const tip = (p: { data: [number, number, number] }) =>
    `${labels[p.data[2]]}<br/>${xName}: ${p.data[0].toPrecision(4)}<br/>accuracy: ${p.data[1].toFixed(4)}`;
  chartIn(el).setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', formatter: tip },
    legend: { top: 22 },
    grid: { top: 60, left: 55, right: 20, bottom: 35 },
    xAxis: { type: logX ? 'log' : 'value', name: xName, nameLocation: 'middle', nameGap: 25, scale: true },
    yAxis: { type: 'value', name: 'test accuracy', scale: true },
    series: [
      { name: 'Pareto front', type: 'line', data: front, symbolSize: 10, itemStyle: { color: '#d9480f' },
        lineStyle: { width: 2 } },
      { name: 'other grid points', type: 'scatter', data: rest, symbolSize: 7, itemStyle: { color: '#8a94a6' } },
    ],
  }, true);
}

/** A search's trials against two objectives, its Pareto set highlighted. */
export function searchChart(el: HTMLElement, title: string, xName: string, yName: string,
                            front: [number, number, number][], rest: [number, number, number][]): void {
  el.dataset.plotted = JSON.stringify({ front, rest });
  const tip = (p: { data: [number, number, number] }) =>
    `trial ${p.data[2]}<br/>${xName}: ${p.data[0].toPrecision(4)}<br/>${yName}: ${p.data[1].toPrecision(4)}`;
  chartIn(el).setOption({
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', formatter: tip },
    legend: { top: 22 },
    grid: { top: 60, left: 65, right: 20, bottom: 35 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 25, scale: true },
    yAxis: { type: 'value', name: yName, scale: true },
    series: [
      { name: 'Pareto set', type: 'line', data: front, symbolSize: 10, itemStyle: { color: '#d9480f' } },
      { name: 'other trials', type: 'scatter', data: rest, symbolSize: 7, itemStyle: { color: '#8a94a6' } },
    ],
  }, true);
}
