import type { z } from 'zod';
import { constantValue, expressionProblem, expressionsIn, isWholeExpression, referencesOf, sourceIndex } from './expressions.js';
import { cronProblem, patternProblem, timezoneProblem, valueProblem } from './params.js';
import { STEP_KINDS, type WorkflowDefinition, workflowDefinitionSchema } from './schema.js';
import { type LoadedSource, loadSource, type Path, type WorkflowProblem } from './source.js';

export type { WorkflowProblem } from './source.js';

/** What a definition file is: its definition when valid, else every problem, sorted by position. */
export interface WorkflowValidation {
  valid: boolean;
  /** The definition as read (defaults not filled in), or null when it has problems. */
  definition: WorkflowDefinition | null;
  problems: WorkflowProblem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads and checks a definition (YAML or JSON); `file` names it in the problems. */
export function validateWorkflowSource(source: string, file = 'workflow.yaml'): WorkflowValidation {
  const loaded = loadSource(source, file);
  const problems = [...loaded.problems];
  if (problems.length === 0) {
    const parsed = workflowDefinitionSchema.safeParse(loaded.value);
    if (!parsed.success) problems.push(...schemaProblems(loaded, parsed.error.issues));
    if (isObj(loaded.value)) problems.push(...new Checks(loaded, loaded.value).run());
    if (problems.length === 0 && parsed.success) return { valid: true, definition: parsed.data, problems: [] };
  }
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  return { valid: false, definition: null, problems: unique };
}

/** The problem lines a person reads: `FILE:LINE:COL: reason`. */
export function formatProblems(problems: readonly WorkflowProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

function schemaProblems(loaded: LoadedSource, issues: readonly z.core.$ZodIssue[]): WorkflowProblem[] {
  const out: WorkflowProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const where = path.length > 0 ? `${path.join('.')}: ` : '';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(loaded.problemAt([...path, key], `${where}unknown key "${key}"`, { key: true }));
    } else {
      const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
      out.push(
        loaded.problemAt(
          path,
          `${where}${missing ? `${issue.message.replace(/, received undefined$/, '')} (missing)` : issue.message}`,
        ),
      );
    }
  }
  return out;
}

/** The checks that span the definition: step graph, expressions, params and triggers. */
class Checks {
  private readonly problems: WorkflowProblem[] = [];
  private readonly steps: { id: string; index: number; step: Obj }[] = [];
  private readonly ids = new Set<string>();
  private readonly needs = new Map<string, string[]>();

  constructor(
    private readonly loaded: LoadedSource,
    private readonly def: Obj,
  ) {}

  private add(path: Path, message: string, options?: { key?: boolean; offset?: number }): void {
    this.problems.push(this.loaded.problemAt(path, message, options));
  }

  run(): WorkflowProblem[] {
    const steps = Array.isArray(this.def.steps) ? this.def.steps : [];
    steps.forEach((step, index) => {
      if (!isObj(step) || typeof step.id !== 'string') return;
      if (this.ids.has(step.id)) this.add(['steps', index, 'id'], `duplicate step id "${step.id}"`);
      else {
        this.ids.add(step.id);
        this.steps.push({ id: step.id, index, step });
      }
    });
    for (const s of this.steps) this.checkStep(s.id, s.index, s.step);
    this.checkCycles();
    this.checkOnFailure();
    this.checkParams();
    this.checkTriggers();
    this.checkExpressions();
    return this.problems;
  }

  private checkStep(id: string, index: number, step: Obj): void {
    const at = (...rest: (string | number)[]) => ['steps', index, ...rest];
    const kinds = STEP_KINDS.filter((k) => step[k] !== undefined);
    if (kinds.length === 0) {
      this.add(at('id'), `step "${id}" does nothing: give it one of task, approval, wait or workflow`);
    } else if (kinds.length > 1) {
      this.add(
        at(kinds[1] as string),
        `step "${id}" has ${kinds.join(' and ')}: a step does exactly one of task, approval, wait or workflow`,
        { key: true },
      );
    }
    if (step.loop !== undefined && step.task === undefined)
      this.add(at('loop'), `step "${id}": a loop repeats a task, and this step has none`, { key: true });
    if (step.max_parallel !== undefined && step.foreach === undefined)
      this.add(at('max_parallel'), `step "${id}": max_parallel applies to a foreach step`, { key: true });
    this.checkForeach(id, step.foreach, at('foreach'));
    if (isObj(step.wait)) {
      const forms = ['duration', 'until', 'event'].filter((k) => (step.wait as Obj)[k] !== undefined);
      if (forms.length !== 1)
        this.add(
          at('wait'),
          `step "${id}": a wait has exactly one of duration, until or event${forms.length ? ` (not ${forms.join(' and ')})` : ''}`,
          { key: true },
        );
      if ((step.wait as Obj).timeout !== undefined && (step.wait as Obj).event === undefined)
        this.add(at('wait', 'timeout'), `step "${id}": a wait's timeout applies to a wait for an event`, { key: true });
    }
    const needs = Array.isArray(step.needs) ? step.needs : [];
    const valid: string[] = [];
    needs.forEach((need, i) => {
      if (typeof need !== 'string') return;
      if (need === id) this.add(at('needs', i), `step "${id}" needs itself`);
      else if (!this.ids.has(need))
        this.add(at('needs', i), `step "${id}" needs "${need}", which is not a step of this workflow`);
      else valid.push(need);
    });
    this.needs.set(id, valid);
  }

  private checkForeach(id: string, foreach: unknown, path: Path): void {
    if (typeof foreach !== 'string') return;
    if (!isWholeExpression(foreach)) {
      this.add(
        path,
        `step "${id}": foreach takes a list, or one \${{ }} expression giving a list, not the text ${JSON.stringify(foreach)}`,
      );
      return;
    }
    const [found] = expressionsIn(foreach, false);
    if (!found || expressionProblem(found.text)) return;
    const value = constantValue(found.text);
    if (value !== undefined && !Array.isArray(value))
      this.add(path, `step "${id}": foreach over ${JSON.stringify(value)}, which is not a list`);
  }

  private checkCycles(): void {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (id: string) => {
      state.set(id, 'open');
      stack.push(id);
      for (const next of this.needs.get(id) ?? []) {
        if (state.get(next) === 'open') {
          const cycle = stack.slice(stack.indexOf(next));
          const key = [...cycle].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            const first = this.steps.filter((s) => cycle.includes(s.id))[0];
            const start = first?.id ?? next;
            const from = cycle.indexOf(start);
            // Read as "a needs b needs c needs a", starting at the cycle's first step in the file.
            const named = [...cycle.slice(from), ...cycle.slice(0, from), start];
            this.add(['steps', first?.index ?? 0, 'needs'], `needs form a cycle: ${named.join(' → ')}`, { key: true });
          }
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(id, 'done');
    };
    for (const s of this.steps) if (!state.has(s.id)) visit(s.id);
  }

  /** Every step `id` waits for, directly or not. */
  private upstream(id: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(this.needs.get(id) ?? [])];
    while (todo.length > 0) {
      const next = todo.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...(this.needs.get(next) ?? []));
    }
    return seen;
  }

  private checkOnFailure(): void {
    const list = Array.isArray(this.def.on_failure) ? this.def.on_failure : [];
    list.forEach((id, i) => {
      if (typeof id === 'string' && !this.ids.has(id))
        this.add(['on_failure', i], `on_failure names "${id}", which is not a step of this workflow`);
    });
  }

  private params(): Obj {
    return isObj(this.def.params) ? this.def.params : {};
  }

  private checkParams(): void {
    for (const [name, spec] of Object.entries(this.params())) {
      if (!isObj(spec) || typeof spec.type !== 'string') continue;
      if (typeof spec.pattern === 'string') {
        const problem = patternProblem(spec.pattern);
        if (problem) this.add(['params', name, 'pattern'], `param ${name}: ${problem}`);
        else if (spec.type !== 'string')
          this.add(['params', name, 'pattern'], `param ${name}: a pattern applies to a string param`, { key: true });
      }
      if (spec.default !== undefined) {
        if (spec.required === true)
          this.add(['params', name, 'default'], `param ${name} is required, so it takes no default`, { key: true });
        const problem = valueProblem(spec, spec.default, `the default of param ${name}`);
        if (problem) this.add(['params', name, 'default'], problem);
      }
    }
  }

  private checkTriggers(): void {
    const triggers = Array.isArray(this.def.triggers) ? this.def.triggers : [];
    triggers.forEach((t, i) => {
      if (!isObj(t)) return;
      const at = (...rest: string[]) => ['triggers', i, ...rest];
      if ((t.cron === undefined) === (t.event === undefined)) this.add(at(), 'a trigger has exactly one of cron or event');
      if (typeof t.cron === 'string') {
        const problem = cronProblem(t.cron);
        if (problem) this.add(at('cron'), problem);
      }
      if (t.timezone !== undefined && t.cron === undefined)
        this.add(at('timezone'), 'a timezone applies to a cron trigger', { key: true });
      if (typeof t.timezone === 'string') {
        const problem = timezoneProblem(t.timezone);
        if (problem) this.add(at('timezone'), problem);
      }
      this.checkRunParams(isObj(t.params) ? t.params : {}, at('params'), at());
    });
  }

  /** The params a trigger starts a run with: known, well typed, every required one given. */
  private checkRunParams(given: Obj, path: Path, owner: Path): void {
    const specs = this.params();
    for (const [name, value] of Object.entries(given)) {
      const spec = specs[name];
      if (!isObj(spec)) this.add([...path, name], `unknown param "${name}" (not among the workflow's params)`, { key: true });
      else if (typeof spec.type === 'string') {
        const problem = valueProblem(spec, value, `param ${name}`);
        if (problem) this.add([...path, name], problem);
      }
    }
    for (const [name, spec] of Object.entries(specs)) {
      if (isObj(spec) && spec.required === true && given[name] === undefined) {
        this.add(owner, `the trigger does not give the required param "${name}"`);
      }
    }
  }

  private checkExpressions(): void {
    const walk = (value: unknown, path: (string | number)[]) => {
      if (typeof value === 'string') this.checkString(value, path);
      else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, [...path, i]);
      } else if (isObj(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    };
    walk(this.def, []);
  }

  private checkString(value: string, path: (string | number)[]): void {
    const field = path.at(-1);
    const whole = field === 'if' || (field === 'until' && path.at(-2) === 'loop');
    const found = expressionsIn(value, whole);
    if (found.length === 0) return;
    const raw = this.loaded.scalarAt(path);
    const stepIndex = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : null;
    const step = stepIndex === null ? undefined : this.steps.find((s) => s.index === stepIndex);
    for (const f of found) {
      const start = raw ? sourceIndex(raw.text, value, f) : 0;
      const problem = expressionProblem(f.text);
      if (problem) {
        this.add(path, `expression "${f.text}" cannot be read: ${problem.message}`, { offset: start + problem.offset });
        continue;
      }
      const refs = referencesOf(f.text);
      const upstream = step ? this.upstream(step.id) : new Set<string>();
      for (const ref of refs.steps) {
        const ownLoop = step !== undefined && ref === step.id && field === 'until' && path.at(-2) === 'loop';
        if (!this.ids.has(ref))
          this.add(path, `expression refers to steps.${ref}, which is not a step of this workflow`, { offset: start });
        else if (!ownLoop && !upstream.has(ref)) {
          const where = step ? `step "${step.id}"` : 'this place';
          this.add(path, `expression refers to steps.${ref}, which is not upstream of ${where} (add it to needs)`, {
            offset: start,
          });
        }
      }
      for (const ref of refs.params) {
        if (this.params()[ref] === undefined)
          this.add(path, `expression refers to params.${ref}, which is not a param of this workflow`, { offset: start });
      }
      if (refs.item && (step === undefined || step.step.foreach === undefined || field === 'foreach')) {
        this.add(path, 'expression reads item, which only a foreach step has', { offset: start });
      }
    }
  }
}
