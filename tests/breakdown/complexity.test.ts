import { describe, expect, it } from 'vitest';
import { parseChecklist } from '../../src/core/breakdown/checklist.js';
import { analyzeComplexity, breaksDownOnCreate } from '../../src/core/breakdown/complexity.js';

const H = 60;

describe('complexity analysis', () => {
  it.each([
    [4 * H, 'simple'],
    [4 * H + 1, 'medium'],
    [12 * H, 'medium'],
    [12 * H + 1, 'complex'],
    [24 * H, 'complex'],
    [24 * H + 1, 'epic'],
    [40 * H, 'epic'],
  ])('an estimate of %i minutes is %s (SPEC §2 thresholds)', (minutes, complexity) => {
    const report = analyzeComplexity({ title: 'Anything', estimateMinutes: minutes });
    expect(report.complexity).toBe(complexity);
    expect(report.basis).toBe('estimate');
    expect(report.reasons[0]).toMatch(/^estimate /);
  });

  it('the estimate wins over the words, which are still reported', () => {
    const report = analyzeComplexity({
      title: 'Migrate billing end-to-end and integrate the ERP and the CRM',
      estimateMinutes: 2 * H,
    });
    expect(report.complexity).toBe('simple');
    expect(report.reasons.some((r) => r.startsWith('text also shows: scope words'))).toBe(true);
  });

  it('a short plain title without an estimate is simple', () => {
    const report = analyzeComplexity({ title: 'Fix the typo in the footer' });
    expect(report).toMatchObject({ complexity: 'simple', basis: 'text', score: 0 });
  });

  it('scope words, deliverables and "and" make a title bigger', () => {
    const report = analyzeComplexity({
      title: 'Migrate payments to Stripe, integrate the ERP and rebuild invoicing end-to-end',
    });
    expect(['complex', 'epic']).toContain(report.complexity);
    expect(report.reasons.join('\n')).toMatch(/scope words: "integrat", "migrat", "end to end"/);
    expect(report.reasons.join('\n')).toMatch(/distinct deliverables/);
  });

  it('a long description with a long list is an epic', () => {
    const items = Array.from({ length: 12 }, (_, i) => `- [ ] deliver part ${i + 1} and its tests`).join('\n');
    const description = `We have to move the whole platform.\n${items}\n${'Context. '.repeat(200)}`;
    const report = analyzeComplexity({ title: 'Platform move', description });
    expect(report.complexity).toBe('epic');
    expect(report.reasons.join('\n')).toMatch(/a list of 12 items/);
    expect(report.reasons.join('\n')).toMatch(/long description/);
  });

  it('recommends by complexity and mode', () => {
    expect(analyzeComplexity({ title: 'x', estimateMinutes: 30 * H }).recommendation.action).toBe('breakdown');
    expect(analyzeComplexity({ title: 'x', estimateMinutes: 20 * H }).recommendation.action).toBe('consider_breakdown');
    expect(analyzeComplexity({ title: 'x', estimateMinutes: 20 * H }, 'recommended').recommendation.action).toBe('breakdown');
    expect(analyzeComplexity({ title: 'x', estimateMinutes: 8 * H }).recommendation.action).toBe('none');
    expect(breaksDownOnCreate('epic', 'epic-only')).toBe(true);
    expect(breaksDownOnCreate('complex', 'epic-only')).toBe(false);
    expect(breaksDownOnCreate('complex', 'recommended')).toBe(true);
    expect(breaksDownOnCreate('medium', 'recommended')).toBe(false);
  });
});

describe('checklist parsing', () => {
  it('reads Markdown task items in order, with nested lines as details', () => {
    const items = parseChecklist(
      [
        'Context paragraph.',
        '',
        '- [ ] Draft the schema',
        '  - include soft deletes',
        '- [x] Pick the database',
        '- [ ] Write the migration',
        '- a note, not a step',
        '```',
        '- [ ] inside a code fence',
        '```',
      ].join('\n'),
    );
    expect(items.map((i) => [i.text, i.done])).toEqual([
      ['Draft the schema', false],
      ['Pick the database', true],
      ['Write the migration', false],
    ]);
    expect(items[0]?.details).toBe('- include soft deletes');
  });

  it('reads numbered steps (1. and 2)) and bullets', () => {
    expect(parseChecklist('1. one\n2) two\n3. three').map((i) => [i.text, i.kind])).toEqual([
      ['one', 'numbered'],
      ['two', 'numbered'],
      ['three', 'numbered'],
    ]);
    expect(parseChecklist('* alpha\n+ beta\n- gamma').map((i) => i.text)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('finds nothing in prose', () => {
    expect(parseChecklist('Just do it - quickly, please. 3 of them.')).toEqual([]);
    expect(parseChecklist(null)).toEqual([]);
  });
});
