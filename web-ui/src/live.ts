/** One server-sent-events connection to /api/v1/stream, shared by the pages. */
import type { RunItem } from './api';

type Listener = (run: RunItem) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

export function onRun(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) {
    source = new EventSource('/api/v1/stream');
    source.addEventListener('run', (e) => {
      const run = JSON.parse((e as MessageEvent).data) as RunItem;
      listeners.forEach((l) => l(run));
    });
    source.addEventListener('hello', () => document.body.dataset.live = 'connected');
    source.onerror = () => { document.body.dataset.live = 'reconnecting'; };
  }
  return () => listeners.delete(listener);
}
