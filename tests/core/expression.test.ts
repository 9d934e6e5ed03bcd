import { describe, expect, it } from 'vitest';
import { evaluateExpression, parseExpression } from '../../src/core/expression.js';

describe('expressions (CEL)', () => {
  it('evaluates conditions over JSON values as a reader expects', () => {
    const steps = { test: { status: 'completed', result: { passed: true, count: 2 } } };
    expect(evaluateExpression("steps.test.status == 'completed' && steps.test.result.passed == true", { steps })).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateExpression('steps.test.result.count + 1 == 3', { steps })).toEqual({ ok: true, value: true });
    expect(evaluateExpression('has(steps.test.result.missing)', { steps })).toEqual({ ok: true, value: false });
    expect(evaluateExpression('[1, 2].map(x, x * 2)', {})).toEqual({ ok: true, value: [2, 4] });
  });

  it('says where an expression cannot be read, and why one cannot be evaluated', () => {
    expect(parseExpression('a.b ==')).toMatchObject({ ok: false, offset: 6, message: expect.stringContaining('Unexpected') });
    expect(parseExpression("result.passed == true && status == 'completed'")).toEqual({ ok: true });
    const missing = evaluateExpression('result.passed', { result: {} });
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining('passed') });
  });

  it('cannot reach the host: no globals, no functions beyond the language', () => {
    for (const text of ['process.exit(1)', 'constructor', "require('fs')", 'globalThis']) {
      expect(evaluateExpression(text, {}).ok, text).toBe(false);
    }
  });
});
