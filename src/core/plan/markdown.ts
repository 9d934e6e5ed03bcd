import { PRIORITIES, type Priority } from '../types.js';
import { readEstimate } from '../values.js';
import type { ParsedPlan, PlanNode } from './types.js';

/**
 * Reads a plan written in Markdown (README "Plans"):
 *
 * - a heading is a task; a deeper heading is a subtask of the one above it;
 * - a list item (`-`, `*`, `+`, `1.`) or checklist item (`- [ ]`, `- [x]`) is a task, a subtask of
 *   the heading above it or of the item it is indented under;
 * - on a title, `@name` adds a capability, `!high` sets the priority, `~2h` the estimate;
 * - a line `depends on #3, #5`, `after Design the schema` or `blocked by task 57` under an item
 *   names what must complete first: `#N` is the plan's own item N (reading order, from 1), `task N`
 *   a task already in the store, other text the title of an item of the plan;
 * - other lines are the description of the item they follow.
 *
 * A document with no list at all is prose (a PRD): the caller hands it to a planner.
 * Pure: references are resolved here, problems come back with their line.
 */

export interface PlanProblem {
  line: number;
  message: string;
}

export class PlanSyntaxError extends Error {
  constructor(readonly problems: PlanProblem[]) {
    super(problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join('; '));
  }
}

const HEADING = /^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const LIST_ITEM = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[([ xX])\][ \t]+)?(.*)$/;
const FENCE = /^[ \t]*(```|~~~)/;
const DEPENDENCY_LINE = /^(?:depends on|after|blocked by|needs)\b[ \t]*:?[ \t]*(.+)$/i;
const CAPABILITY = /^@([A-Za-z0-9._:-]+)$/;
const PLAN_REF = /^#(\d+)$/;
const TASK_REF = /^task[ \t]+#?(\d+)$/i;

interface Draft extends PlanNode {
  /** Column of the list marker, or -1 for a heading. */
  indent: number;
  level: number;
  descriptionLines: string[];
  dependencyText: { line: number; text: string }[];
}

export function parsePlanMarkdown(source: string): ParsedPlan {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const drafts: Draft[] = [];
  const roots: Draft[] = [];
  const warnings: string[] = [];
  const headings: Draft[] = [];
  let items: Draft[] = [];
  let owner: Draft | null = null;
  let fence: string | null = null;
  let hasList = false;
  const preamble: string[] = [];

  const attach = (node: Draft, parent: Draft | undefined) => {
    (parent ? parent.subtasks : roots).push(node);
    drafts.push(node);
    owner = node;
  };
  const addText = (text: string) => {
    if (owner) owner.descriptionLines.push(text);
    else preamble.push(text);
  };

  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (fence !== null) {
      if (raw.trim().startsWith(fence)) fence = null;
      addText(dedent(raw, owner));
      continue;
    }
    const fenceOpen = FENCE.exec(raw);
    if (fenceOpen) {
      fence = fenceOpen[1] as string;
      addText(dedent(raw, owner));
      continue;
    }
    if (raw.trim() === '') {
      addText('');
      continue;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      const level = (heading[1] as string).length;
      while (headings.length > 0 && (headings.at(-1) as Draft).level >= level) headings.pop();
      const box = /^\[([ xX])\][ \t]+/.exec(heading[2] as string);
      const title = box ? (heading[2] as string).slice(box[0].length) : (heading[2] as string);
      const node = draft(drafts.length + 1, line, title, -1, level, /x/i.test(box?.[1] ?? ''), warnings);
      attach(node, headings.at(-1));
      headings.push(node);
      items = [];
      continue;
    }
    const item = LIST_ITEM.exec(raw);
    if (item) {
      hasList = true;
      const indent = columns(item[1] as string);
      while (items.length > 0 && (items.at(-1) as Draft).indent >= indent) items.pop();
      const node = draft(drafts.length + 1, line, item[3] as string, indent, 0, /x/i.test(item[2] ?? ''), warnings);
      attach(node, items.at(-1) ?? headings.at(-1));
      items.push(node);
      continue;
    }
    // A line less indented than the open list ends it: it belongs to the heading again.
    const indent = columns(/^[ \t]*/.exec(raw)?.[0] ?? '');
    while (items.length > 0 && (items.at(-1) as Draft).indent >= indent) items.pop();
    if (items.length > 0) owner = items.at(-1) as Draft;
    else if (owner !== null && (owner as Draft).indent >= 0) owner = headings.at(-1) ?? null;
    const dependency = DEPENDENCY_LINE.exec(raw.trim());
    if (dependency && owner) (owner as Draft).dependencyText.push({ line, text: dependency[1] as string });
    // A backslash keeps a description line from reading as an item or a dependency (`\- not an item`).
    else addText(dedent(raw, owner).replace(/^([ \t]*)\\(?=[-*+#\dA-Za-z])/, '$1'));
  }

  if (!hasList) return readProse(source, warnings);
  if (preamble.some((l) => l.trim() !== '')) warnings.push('text before the first heading or item was left out');
  const problems: PlanProblem[] = [];
  for (const node of drafts) {
    node.description = description(node.descriptionLines);
    resolveDependencies(node, drafts, problems);
  }
  if (problems.length > 0) throw new PlanSyntaxError(problems);
  return { kind: 'structured', nodes: roots.map(finish), warnings };
}

/** A title with its markers read: `@capability`, `!priority`, `~estimate`. */
export function readTitle(text: string): Pick<PlanNode, 'title' | 'capabilities' | 'priority' | 'estimateMinutes'> {
  const capabilities: string[] = [];
  let priority: Priority | null = null;
  let estimateMinutes: number | null = null;
  const words: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    const capability = CAPABILITY.exec(word);
    const marked = word.slice(1).toLowerCase();
    if (capability) capabilities.push(capability[1] as string);
    else if (word.startsWith('!') && (PRIORITIES as readonly string[]).includes(marked)) priority = marked as Priority;
    else if (word.startsWith('~') && word.length > 1 && 'minutes' in readEstimate(word.slice(1))) {
      estimateMinutes = (readEstimate(word.slice(1)) as { minutes: number }).minutes;
    } else words.push(word);
  }
  const title = words
    .join(' ')
    .replace(/^(\*\*|__)(.*)\1$/, '$2')
    .trim();
  return { title, capabilities: [...new Set(capabilities)], priority, estimateMinutes };
}

function draft(ref: number, line: number, text: string, indent: number, level: number, done: boolean, warnings: string[]): Draft {
  const read = readTitle(text);
  if (read.title === '') warnings.push(`line ${line}: an item without a title was named "Untitled"`);
  return {
    ref,
    line,
    ...read,
    title: read.title || 'Untitled',
    description: null,
    done,
    dependsOn: [],
    dependsOnTasks: [],
    subtasks: [],
    indent,
    level,
    descriptionLines: [],
    dependencyText: [],
  };
}

function resolveDependencies(node: Draft, drafts: readonly Draft[], problems: PlanProblem[]): void {
  for (const { line, text } of node.dependencyText) {
    for (const part of text.split(/\s*,\s*|\s+and\s+|\s*;\s*/)) {
      const name = part.trim().replace(/[.]$/, '');
      if (name === '') continue;
      const planRef = PLAN_REF.exec(name);
      const taskRef = TASK_REF.exec(name);
      if (taskRef) node.dependsOnTasks.push(Number(taskRef[1]));
      else if (planRef) {
        const ref = Number(planRef[1]);
        if (ref < 1 || ref > drafts.length)
          problems.push({ line, message: `#${ref} is not an item of this plan (it has ${drafts.length})` });
        else node.dependsOn.push(ref);
      } else {
        const found = byTitle(name, drafts);
        if (typeof found === 'string') problems.push({ line, message: found });
        else node.dependsOn.push(found.ref);
      }
    }
    if (node.dependsOn.includes(node.ref)) problems.push({ line, message: `item #${node.ref} cannot depend on itself` });
  }
  node.dependsOn = [...new Set(node.dependsOn)];
  node.dependsOnTasks = [...new Set(node.dependsOnTasks)];
}

/** The item a dependency line names by title: exact (ignoring case and markers), else the one title it begins. */
function byTitle(name: string, drafts: readonly Draft[]): Draft | string {
  const wanted = normal(readTitle(name).title);
  const exact = drafts.filter((d) => normal(d.title) === wanted);
  if (exact.length === 1) return exact[0] as Draft;
  const prefix = exact.length > 1 ? exact : drafts.filter((d) => normal(d.title).startsWith(wanted));
  if (prefix.length === 1) return prefix[0] as Draft;
  if (prefix.length === 0) return `"${name}" names no item of this plan (write #N for item N, or task N for a task in the store)`;
  return `"${name}" could be ${prefix
    .slice(0, 4)
    .map((d) => `#${d.ref}`)
    .join(', ')}: write #N instead`;
}

const normal = (title: string) =>
  title
    .toLowerCase()
    .replace(/[`*_"']/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * A plan read as prose (a PRD): one piece of work for a planner. Its title is the first heading,
 * else the first sentence; its description the whole text.
 */
export function readProse(source: string, warnings: string[] = []): ParsedPlan {
  const text = source.replace(/^\uFEFF/, '').trim();
  const lines = text.split(/\r\n|\r|\n/);
  const heading = lines.map((l) => HEADING.exec(l)).find((m) => m !== null);
  const firstLine = (lines.find((l) => l.trim() !== '') ?? '').trim();
  const title = heading ? readTitle(heading[2] as string).title || 'Untitled' : firstSentence(firstLine);
  return { kind: 'prose', title, description: text, warnings };
}

function firstSentence(text: string): string {
  const sentence = (/^(.*?[.!?])(\s|$)/.exec(text)?.[1] ?? text).trim();
  if (sentence.length <= 80) return sentence.replace(/[.]$/, '');
  const cut = sentence.slice(0, 78);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40)).trim()}…`;
}

function description(lines: string[]): string | null {
  const text = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? null : text;
}

function finish(node: Draft): PlanNode {
  return {
    ref: node.ref,
    line: node.line,
    title: node.title,
    description: node.description,
    capabilities: node.capabilities,
    priority: node.priority,
    estimateMinutes: node.estimateMinutes,
    done: node.done,
    dependsOn: node.dependsOn,
    dependsOnTasks: node.dependsOnTasks,
    subtasks: node.subtasks.map((s) => finish(s as Draft)),
  };
}

/** Description lines under a list item lose the item's indentation. */
function dedent(raw: string, owner: Draft | null): string {
  if (!owner || owner.indent < 0) return raw.trimEnd();
  const strip = owner.indent + 2;
  const lead = /^[ \t]*/.exec(raw)?.[0] ?? '';
  return raw.slice(Math.min(lead.length, strip)).trimEnd();
}

function columns(whitespace: string): number {
  let n = 0;
  for (const c of whitespace) n += c === '\t' ? 4 - (n % 4) : 1;
  return n;
}
