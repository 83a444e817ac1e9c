/**
 * DOM helpers. Pages render with lit-html: every `${value}` in an `html` template is text or an attribute value,
 * escaped by lit-html, so markup cannot come from data. Each element a page fills is filled only through `render`.
 */
import { html, nothing, render, type TemplateResult } from 'lit-html';

export { html, nothing, render };
export type { TemplateResult };

export function download(name: string, type: string, content: BlobPart): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A message block for loading, empty and error states. */
export function state(kind: 'loading' | 'empty' | 'error', text: string): TemplateResult {
  return html`<div class="state ${kind}" data-state=${kind}>${text}</div>`;
}
