import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/**
 * A definition file read with its source positions: YAML (JSON is YAML too) through the `yaml`
 * package's document API, so every problem can name its file, line and column.
 */

/** One problem of a definition: where it is (1-based line and column) and why. */
export interface WorkflowProblem {
  file: string;
  line: number;
  column: number;
  /** Where in the definition, as keys and indexes joined by dots (`steps.2.needs.0`); '' for the file. */
  path: string;
  message: string;
}

export type Path = readonly (string | number)[];

export interface LoadedSource {
  /** The definition as plain JSON values (null when the file could not be read as YAML). */
  value: unknown;
  problems: WorkflowProblem[];
  /** A problem at `path` (its key with `key`, else its value); the nearest existing parent otherwise. */
  problemAt(path: Path, message: string, options?: { key?: boolean; offset?: number }): WorkflowProblem;
  /** The source text of the value at `path`, and where it starts, when it is a scalar. */
  scalarAt(path: Path): { text: string; start: number } | null;
}

export function loadSource(source: string, file: string): LoadedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problem = (offset: number, path: Path, message: string): WorkflowProblem => ({
    file,
    ...position(offset),
    path: path.join('.'),
    message,
  });
  const problems: WorkflowProblem[] = [];
  if (doc.errors.length > 0) {
    // After the first syntax error the parser's further complaints mostly repeat it.
    const first = doc.errors[0];
    const start = first?.pos[0] ?? 0;
    const line = source.slice(source.lastIndexOf('\n', start - 1) + 1, source.indexOf('\n', start) >>> 0);
    const hint =
      /(^|[^'"])\$\{\{/.test(line) && /[{[]/.test(line.replace(/\$\{\{[^}]*\}\}/g, ''))
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: it names the ${{ }} of definitions, not a template
          " (an expression inside { } or [ ] must be quoted: '${{ ... }}')"
        : '';
    const message = String(first?.message ?? 'cannot be read')
      .split('\n')[0]
      ?.replace(/ at line \d+, column \d+:?$/, '');
    problems.push(problem(start, [], `not valid YAML: ${message}${hint}`));
    return { value: null, problems, problemAt: (path, m) => problem(0, path, m), scalarAt: () => null };
  }

  const nodeAt = (path: Path): { node: Node | null; keyNode: Node | null; found: boolean } => {
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === part);
        if (!pair) return { node: node as Node, keyNode, found: false };
        keyNode = isNode(pair.key) ? pair.key : null;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        keyNode = null;
        node = node.items[part];
      } else {
        return { node: isNode(node) ? node : null, keyNode, found: false };
      }
    }
    return { node: isNode(node) ? node : null, keyNode, found: true };
  };

  return {
    value: doc.toJS({ maxAliasCount: 100 }),
    problems,
    problemAt(path, message, options = {}) {
      const { node, keyNode, found } = nodeAt(path);
      const target = found && options.key && keyNode ? keyNode : (node ?? keyNode);
      const start = target?.range?.[0] ?? 0;
      return problem(start + (options.offset ?? 0), path, message);
    },
    scalarAt(path) {
      const { node, found } = nodeAt(path);
      if (!found || !isScalar(node) || !node.range) return null;
      return { text: source.slice(node.range[0], node.range[1]), start: node.range[0] };
    },
  };
}
