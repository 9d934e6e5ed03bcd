import { readFileSync, statSync } from 'node:fs';
import { patternProblems } from '../core/breakdown/registry.js';
import { patternsFileSchema } from '../core/breakdown/schemas.js';
import type { Pattern } from '../core/breakdown/types.js';

/**
 * `.baton/patterns.yaml`: the store's own patterns, added to the built-ins or replacing one of the
 * same name. A malformed file is refused as a whole with its file, line and reason — and the
 * built-in patterns keep working, so one typo does not stop breakdown for everybody.
 *
 * ```yaml
 * patterns:
 *   mobile:
 *     label: mobile app
 *     keywords: [ios, android, swiftui, app store*]
 *     intents: []            # words that name the kind of work whatever the topic
 *     types: [mobile]        # task types that select it
 *     steps:
 *       - { key: screens, title: "Screens for {subject}", capabilities: [ui_design], share: 30 }
 *       - { key: build, title: "Build {subject}", share: 50, dependsOn: [screens] }
 *       - { key: release, title: "Store release of {subject}", share: 20, dependsOn: [build] }
 * ```
 */
export interface PatternsFileResult {
  patterns: Pattern[];
  /** Why the file was refused (`file:line: path: reason`), or null. */
  error: string | null;
}

const cache = new Map<string, { stamp: string; result: PatternsFileResult }>();

/** Reads the file (cached until it changes); an absent file is no patterns and no error. */
export async function loadPatternsFile(file: string | null | undefined): Promise<PatternsFileResult> {
  if (!file) return { patterns: [], error: null };
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return { patterns: [], error: null };
  }
  const cached = cache.get(file);
  if (cached?.stamp === stamp) return cached.result;
  const result = await parsePatternsYaml(readFileSync(file, 'utf8'), file);
  cache.set(file, { stamp, result });
  return result;
}

export async function parsePatternsYaml(text: string, file: string): Promise<PatternsFileResult> {
  // Loaded when there is a file to parse: every command opens a Baton, few read patterns.
  const { LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const refuse = (line: number | null, reason: string): PatternsFileResult => ({
    patterns: [],
    error: `${file}${line !== null ? `:${line}` : ''}: ${reason}`,
  });
  const syntax = doc.errors[0];
  if (syntax) return refuse(lines.linePos(syntax.pos[0]).line, syntax.message.split('\n')[0] ?? 'invalid YAML');
  const lineOf = (path: (string | number)[]): number | null => {
    // The deepest node that exists: a missing key is reported where its object starts.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  const parsed = patternsFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)));
    const reason = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
    return refuse(lineOf(path), `${path.join('.') || 'patterns'}: ${reason}`);
  }
  const patterns: Pattern[] = [];
  for (const [name, p] of Object.entries(parsed.data.patterns)) {
    const pattern: Pattern = {
      name,
      label: p.label ?? name,
      keywords: p.keywords,
      intents: p.intents,
      types: p.types,
      steps: p.steps,
    };
    const [problem] = patternProblems(pattern);
    if (problem) {
      const path = ['patterns', name, ...problem.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
      return refuse(lineOf(path), `patterns.${name}.${problem.path}: ${problem.message}`);
    }
    patterns.push(pattern);
  }
  return { patterns, error: null };
}
