import { describe, expect, it } from 'vitest';
import { dependencyRefs, labelsOfTask, REPO_PATTERN, sameLabels, tagsOfLabels, taskTextOf } from '../../src/core/github.js';

describe('GitHub issues ↔ tasks, the pure rules', () => {
  it('reads cap: labels as capabilities and the rest as tags, and writes them back', () => {
    const split = tagsOfLabels(['bug', 'cap:gpu', 'good first issue', 'cap:']);
    expect(split).toEqual({ tags: ['bug', 'good first issue'], capabilities: ['gpu'] });
    expect(labelsOfTask({ tags: ['bug'], capabilities: ['gpu'] })).toEqual(['bug', 'cap:gpu']);
    expect(sameLabels(['b', 'a', 'a'], ['a', 'b'])).toBe(true);
    expect(sameLabels(['a'], ['a', 'b'])).toBe(false);
  });

  it('finds "depends on #N" and "blocked by #N" in a body, once each', () => {
    expect(dependencyRefs('Depends on #12, blocked by #3 and depends on #12.\nSee #99.')).toEqual([12, 3]);
    expect(dependencyRefs(null)).toEqual([]);
  });

  it('accepts OWNER/REPO names and never a path that climbs', () => {
    for (const ok of ['acme/widgets', 'a-b/c.d_e', 'acme/.github']) expect(REPO_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['acme', '../etc', 'acme/..', 'acme/.', 'a/b/c', 'ac me/x'])
      expect(REPO_PATTERN.test(bad), bad).toBe(false);
  });

  it('cuts a long issue to the task limits', () => {
    const text = taskTextOf('acme/w', { number: 4, title: 'x'.repeat(300), body: 'y'.repeat(30_000) });
    expect(text.title.length).toBe(200);
    expect(text.description.length).toBe(20_000);
    expect(taskTextOf('acme/w', { number: 4, title: '  ', body: null }).title).toBe('acme/w#4');
  });
});
