import { cleanTitle, splitVerb, titleParts } from './subject.js';
import { compile, occurs, tokenize } from './text.js';

/**
 * The deliverables a task names — "OAuth, password reset and admin dashboard", "Dockerize the app
 * and run it on Kubernetes", "Notification center: email digests, in-app inbox, push", "We need X,
 * Y and Z" in the description. Several deliverables are the first level of a breakdown, one subtask
 * each; a pattern (a kind of work) fits one deliverable, not a list of them.
 */

export interface Deliverable {
  title: string;
  /** Indexes of earlier deliverables it builds on ("… and run it on Kubernetes"). */
  after: number[];
}

const LIST = /\s*,\s*(?:and\s+|or\s+)?|\s*;\s*|\s+and\s+|\s+&\s+|\s+plus\s+/i;
const CONTAINER = /:\s+|\s+(?:with|including)\s+/i;
/** A description sentence that lists what the task must deliver. */
const PROSE =
  /\b(?:we need|needs?|includes?|including|must (?:have|support)|should (?:have|support)|covers?|consists of)\s+([^.\n]+)/i;
const ARTICLE = /^(?:the|a|an)\s+/i;
/** A later part that refers back to an earlier one. */
const REFERS_BACK = /\b(?:it|them|this|that|there)\b/i;
/** Titles this long or shorter may name their container ("Add OAuth to the login system"). */
const TARGET_TITLE = 60;

const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0).length;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const splitList = (text: string) =>
  text
    .split(LIST)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);

/** Titles for list items: an item without a verb of its own takes the previous item's, else `verb`. */
function itemTitles(items: readonly string[], verb: string, container: string | null): Deliverable[] {
  let current = verb;
  return items.map((item, i) => {
    const own = splitVerb(item);
    if (own.verb) current = own.verb;
    const text = own.verb ? own.rest : item;
    const title = `${capitalise(current)} ${text}`;
    const named = container && !own.verb ? `${title} to ${container}` : title;
    return {
      title: named.length <= TARGET_TITLE ? named : title,
      after: i > 0 && REFERS_BACK.test(text) ? [i - 1] : [],
    };
  });
}

/** "Area with A, B and C" or "Area: A, B, C": the items are the deliverables, in the area. */
function fromContainer(title: string): Deliverable[] {
  const m = CONTAINER.exec(title);
  if (!m || m.index === 0) return [];
  const items = splitList(title.slice(m.index + m[0].length));
  if (items.length < 2) return [];
  const { verb, subject } = titleParts(title.slice(0, m.index));
  const container = subject.replace(ARTICLE, '');
  // A colon names an area ("Checkout revamp: …"); "with" names the thing the items are part of.
  const verbOfItems = m[0].includes(':') ? 'add' : verb === null || verb === 'build' || verb === 'create' ? 'add' : verb;
  return itemTitles(items, verbOfItems, `the ${container}`);
}

/** "A, B and C" or "Do A and do B": a list that is the whole title. */
function fromList(title: string): Deliverable[] {
  const parts = splitList(title);
  if (parts.length < 2) return [];
  const commas = (title.match(/,/g) ?? []).length;
  // "Search and filter the list" is one piece of work; "Dockerize the app and run it" is two.
  const distinct =
    (commas >= 1 && parts.length >= 3) ||
    (parts.every((p) => words(p) >= 2) && parts.slice(1).every((p) => splitVerb(p).verb !== null || ARTICLE.test(p)));
  if (!distinct) return [];
  const { verb } = splitVerb(parts[0] as string);
  return itemTitles(parts, verb ?? 'add', null);
}

/** "We need usage-based pricing, prorated upgrades, tax handling and dunning emails." */
function fromProse(description: string): Deliverable[] {
  const m = PROSE.exec(description);
  if (!m || !(m[1] ?? '').includes(',')) return [];
  const items = splitList(m[1] as string);
  return items.length >= 3 ? itemTitles(items, 'add', null) : [];
}

/** The deliverables a task names, in order; empty when it names fewer than two. */
export function deliverablesOf(subject: { title: string; description?: string | null | undefined }): Deliverable[] {
  const title = cleanTitle(subject.title);
  const found = fromContainer(title);
  if (found.length >= 2) return found;
  const listed = fromList(title);
  if (listed.length >= 2) return listed;
  // A shortened checklist item keeps its whole text as the first line of its description.
  const first = cleanTitle(subject.description?.split('\n')[0] ?? '');
  const opening = first.length > title.length && first.startsWith(title) ? fromContainer(first) : [];
  if (opening.length >= 2) return opening;
  return subject.description ? fromProse(subject.description) : [];
}

/** What a follow-up item is about; implementation items are none of these. */
type FollowUp = 'verify' | 'docs' | 'release';
const FOLLOW_UPS: [FollowUp, ReturnType<typeof compile>[]][] = [
  ['docs', ['release notes', 'doc', 'docs', 'document*', 'readme', 'changelog', 'runbook', 'help center', 'guide'].map(compile)],
  ['verify', ['test*', 'qa', 'e2e', 'regression*', 'verify', 'validate', 'smoke', 'load test*'].map(compile)],
  ['release', ['release', 'publish', 'announce*', 'launch', 'rollout', 'roll out', 'ship', 'deploy*', 'go live'].map(compile)],
];

export function followUpOf(title: string): FollowUp | null {
  const tokens = tokenize(title);
  for (const [kind, matchers] of FOLLOW_UPS) if (matchers.some((m) => occurs(m, tokens))) return kind;
  return null;
}

/**
 * Adds the order follow-up work needs: an item about testing or documentation waits for the
 * implementation items before it, a release or rollout also for the tests before it. Dependencies
 * one implies through another are left out, so the graph stays readable.
 */
export function withFollowUps(titles: readonly string[], dependsOn: readonly number[][]): number[][] {
  const kinds = titles.map(followUpOf);
  const deps = dependsOn.map((d, i) => {
    const kind = kinds[i];
    if (kind === null || kind === undefined) return [...d];
    const waits = kinds
      .slice(0, i)
      .map((k, j) => ({ k, j }))
      .filter(({ k }) => k === null || (kind === 'release' && k === 'verify'))
      .map(({ j }) => j);
    return [...new Set([...d, ...waits])].sort((a, b) => a - b);
  });
  return deps.map((d) => d.filter((x) => !d.some((o) => o !== x && reaches(deps, o, x))));
}

function reaches(deps: readonly number[][], from: number, to: number): boolean {
  const seen = new Set<number>();
  const stack = [...(deps[from] ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as number;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(deps[n] ?? []));
  }
  return false;
}
