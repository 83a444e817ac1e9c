import { describe, expect, it } from 'vitest';
import { describeProblem, percent, summarizeRuns } from './format';

describe('describeProblem', () => {
  it('lists every bad field under the summary', () => {
    const text = describeProblem({
      detail: '2 field(s) of the spec are invalid',
      errors: [
        { pointer: '/training/epochs', detail: 'must be >= 1' },
        { pointer: '', detail: 'malformed JSON' },
      ],
    });
    expect(text.split('\n')).toEqual([
      '2 field(s) of the spec are invalid',
      '/training/epochs: must be >= 1',
      '(document): malformed JSON',
    ]);
  });
});

describe('summarizeRuns', () => {
  it('orders by life cycle and skips zero counts', () => {
    expect(summarizeRuns({ SUCCEEDED: 2, QUEUED: 1, FAILED: 0 })).toBe('1 QUEUED, 2 SUCCEEDED');
    expect(summarizeRuns({})).toBe('no runs');
  });
});

describe('percent', () => {
  it('formats fractions and missing values', () => {
    expect(percent(0.9)).toBe('90.0%');
    expect(percent(0.87071)).toBe('87.1%');
    expect(percent(undefined)).toBe('—');
  });
});
