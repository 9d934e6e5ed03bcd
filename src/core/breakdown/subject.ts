import { LIMITS } from '../limits.js';

/**
 * The words of a task that its subtasks' titles name. A planner writes "Design endpoints for the
 * partner API", not "Design the endpoints of Build the partner REST API with JWT auth": the step
 * comes first as a verb, then a short object; the parent stays reachable through the tree.
 *
 * - **subject**: the object of the work, a noun phrase — the title without a leading verb, a tag
 *   (`Bug:`), a typed estimate or what follows "with"/"using"/"via" (it only qualifies the work).
 * - **action**: the work as a verb phrase (`Upgrade Node 18 to 20`), with the title's own verb.
 */

/** Verbs a title may open with, longest first when matched. */
const VERBS = [
  'add',
  'analyse',
  'analyze',
  'build',
  'classify',
  'bump',
  'clean up',
  'configure',
  'create',
  'decommission',
  'deliver',
  'deploy',
  'deprecate',
  'design',
  'develop',
  'do',
  'document',
  'dockerize',
  'drop',
  'enable',
  'encrypt',
  'evaluate',
  'explore',
  'expose',
  'extend',
  'fine-tune',
  'fix',
  'forecast',
  'get up to speed on',
  'harden',
  'implement',
  'improve',
  'integrate',
  'introduce',
  'investigate',
  'launch',
  'learn',
  'make',
  'migrate',
  'move',
  'optimise',
  'optimize',
  'partition',
  'patch',
  'plan',
  'prepare',
  'provide',
  'prune',
  'rebuild',
  'redesign',
  'redo',
  'refactor',
  'remove',
  'renew',
  'replace',
  'research',
  'retire',
  'rewrite',
  'rotate',
  'run',
  'secure',
  'set up',
  'setup',
  'ship',
  'study',
  'sunset',
  'survey',
  'take',
  'terraform',
  'test',
  'tidy',
  'train',
  'update',
  'upgrade',
  'write',
];
/** Words that only ask for the work to be done; dropped before the verb. */
const FILLER = /^(?:please|we need to|we need|need to|todo:)\s+/i;
/** A tag before a colon that names the kind of task, not its subject. */
const TAG = /^(?:bug|fix|feature|chore|spike|task|epic|todo|research|story)\s*:\s*/i;
const QUALIFIER = /\s+(?:with|using|via)\s+/i;
const ESTIMATE = /[\s,;:–-]*\(?\b\d+(?:\.\d+)?\s*(?:m|min|h|d|w|hours?|days?|weeks?)\)?\s*$/i;
const QUESTION = /^(?:can|could|is|are|do|does|should|will|what|why|how|which|when|where)\b/i;
const DETERMINER = /^(?:the|a|an|this|that|these|those|our|their|its|all|every|each|some)\b/i;
/** Where an object may be cut when a title would otherwise repeat its parent's. */
const CLAUSE = /\s+(?:when|after|before|because|if|while|so that|that)\s+/i;
const PREPOSITION = /\s+(?:for|of|on|in|from|at|over|across|within|per|by|to|into|between)\s+/gi;
/** An object longer than this is cut to its head, so titles stay near 60 characters… */
const MAX_OBJECT = 30;
/** …and one that cannot be cut is clipped at a word past this. */
const MAX_CLIPPED = 36;

const VERB = new RegExp(
  `^(${[...VERBS]
    .sort((a, b) => b.length - a.length)
    .map((v) => v.replace(/[-]/g, '[- ]?').replace(/ /g, '\\s+'))
    .join('|')})\\s+`,
  'i',
);

export interface TitleParts {
  /** The leading verb, lower-case (`set up`), or null. */
  verb: string | null;
  /** The object of the work (`the partner REST API`). */
  subject: string;
  /** The parent's title, as given: titles must not repeat it. */
  parent: string;
}

const capitalise = (s: string) => (s.length > 0 ? s.charAt(0).toUpperCase() + s.slice(1) : s);
/** Lower-cases a first word that is not a name or an acronym (`Webhook` → `webhook`, `API` stays). */
const decapitalise = (s: string) =>
  /^[A-Z][a-z]/.test(s) && !/^\S*[A-Z]\S*[A-Z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;

/** A title without its typed estimate, trailing punctuation and a leading "please". */
export function cleanTitle(title: string): string {
  return title
    .trim()
    .replace(ESTIMATE, '')
    .replace(/[.!?:;,\s]+$/, '')
    .replace(FILLER, '');
}

/** Splits a leading verb from the rest of a phrase. */
export function splitVerb(phrase: string): { verb: string | null; rest: string } {
  const m = VERB.exec(phrase);
  if (!m || phrase.length === m[0].length) return { verb: null, rest: phrase };
  return { verb: (m[1] as string).toLowerCase().replace(/\s+/g, ' '), rest: phrase.slice(m[0].length) };
}

export function titleParts(title: string): TitleParts {
  let text = cleanTitle(title).replace(TAG, '');
  const colon = text.indexOf(': ');
  if (colon > 0) {
    const [head, tail] = [text.slice(0, colon), text.slice(colon + 2)];
    // "Security hardening: JWT auth" is about JWT auth; "Feasibility study: can we …?" about the study.
    const tailFits = tail.split(/\s+/).length >= 2 && !QUESTION.test(tail);
    text = tailFits || head.split(/\s+/).length < 2 ? tail : head;
  }
  const qualifier = QUALIFIER.exec(text);
  if (qualifier && qualifier.index > 0) text = text.slice(0, qualifier.index);
  const { verb, rest } = splitVerb(text);
  // "Add push notifications to the mobile app": the object is what is added, not where.
  const object = verb === 'add' || verb === 'expose' ? rest.replace(/\s+(?:to|into)\s+(?!\d).*$/i, '') : rest;
  const subject = object.trim().length > 0 ? object.trim() : cleanTitle(title);
  return { verb, subject: shorten(verb ? subject : decapitalise(subject)), parent: title.trim() };
}

/** The subject of a task, named in its subtasks' titles. */
export function subjectOf(title: string): string {
  return titleParts(title).subject;
}

/** An object cut to its head: before a clause, else before its last preposition. */
function head(object: string): string {
  const clause = CLAUSE.exec(object);
  if (clause && clause.index > 0) return object.slice(0, clause.index);
  const preps = [...object.matchAll(PREPOSITION)];
  const last = preps.at(-1);
  return last && last.index > 0 ? object.slice(0, last.index) : object;
}

/** An object of at most MAX_OBJECT characters, cut where the words allow. */
function shorten(object: string): string {
  let text = object;
  while (text.length > MAX_OBJECT) {
    const cut = head(text);
    if (cut === text) break;
    text = withArticle(cut);
  }
  if (text.length <= MAX_CLIPPED) return text;
  const words = text.slice(0, MAX_CLIPPED + 1).split(/\s+/);
  words.pop();
  return words.join(' ').replace(/[,;:\s]+$/, '');
}

/** A short noun phrase with the determiner "the" when it has none, as a cut object reads ("the crash"). */
const withArticle = (object: string) =>
  DETERMINER.test(object) || QUESTION.test(object) || /^[A-Z0-9]/.test(object) || object.split(/\s+/).length > 3
    ? object
    : `the ${object}`;

const stem = (word: string) => word.toLowerCase().replace(/(?:es|s)$/, '');
const STOP = new Set(['the', 'a', 'an', 'for', 'of', 'on', 'in', 'to', 'and', 'with', 'at', 'by', 'from']);
const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9/+#-]+/)
    .filter((w) => w.length > 1 && !STOP.has(w));

/** When a template's own words already open the object ("Test" + "E2E tests for all flows"). */
const REPLACEMENT_VERB: Record<string, string> = {
  test: 'Run',
  design: 'Draft',
  document: 'Write',
  review: 'Check',
  deploy: 'Roll out',
};

/** A verb, or the one to use instead when the object already says it ("Run E2E tests", not "Test E2E tests"). */
function verbFor(verb: string, subject: string): string {
  const doubled = wordsOf(subject).map(stem).includes(stem(verb));
  return doubled ? (REPLACEMENT_VERB[verb] ?? 'Do') : capitalise(verb);
}

/** A subject that is a sentence ("users are logged out at random"), as bug titles often are. */
const CLAUSE_VERB =
  /\s(?:is|are|was|were|isn't|aren't|doesn't|don't|can't|won't|does|show|shows|fail|fails|crash|crashes|returns?|gets?|got|breaks?|stops?|hangs?|dropped|drops)\b/i;

function fill(template: string, subject: string, verb: string | null): string {
  const action = `${verbFor(verb ?? 'implement', subject)} ${subject}`;
  // "Fix: users are logged out at random" reads; "Fix users are logged out at random" does not.
  if (CLAUSE_VERB.test(subject) && template.endsWith('{subject}')) {
    const lead = template.slice(0, -'{subject}'.length).replace(/(?:\s+(?:for|of|on|to|in|into|about))?[\s:]*$/i, '');
    if (!lead.includes('{')) return `${lead}: ${subject}`;
  }
  const filled = template.includes('{subject}') || template.includes('{action}') ? template : `${template}: {subject}`;
  return filled.replaceAll('{action}', action).replaceAll('{subject}', subject);
}

/**
 * Fills a step's title template: `{subject}` is the object of the work, `{action}` the work as a
 * verb phrase. A template whose words the object already holds drops them ("Write tests for E2E
 * tests for all flows" → "Test all flows"), and a title never repeats its parent's whole title.
 */
export function stepTitle(template: string, parts: TitleParts | string): string {
  const p = typeof parts === 'string' ? { verb: null, subject: parts, parent: '' } : parts;
  const repeats = (t: string) =>
    p.parent.split(/\s+/).length >= 4 && t.toLowerCase().includes(cleanTitle(p.parent).toLowerCase());
  let title = fillWithout(template, p.subject, p.verb);
  if (repeats(title)) title = fillWithout(template, withArticle(decapitalise(head(p.subject))), p.verb);
  if (repeats(title)) {
    // Nothing to cut: the object with its article changed still names the same thing.
    const other = DETERMINER.test(p.subject) ? p.subject.replace(DETERMINER, '').trim() : `the ${p.subject}`;
    title = fillWithout(template, other, p.verb);
  }
  return clipTitle(capitalise(title));
}

/** Fills a template, leaving out what the object already says (no "Test E2E tests"). */
function fillWithout(template: string, subject: string, verb: string | null): string {
  const templateWords = wordsOf(template.replace(/\{\w+\}/g, ' ')).map(stem);
  const objectWords = wordsOf(subject).map(stem);
  const doubled = templateWords.filter((w) => objectWords.includes(w));
  if (doubled.length === 0 || !template.includes('{subject}')) return fill(template, subject, verb);
  // Drop the doubled words from the object when they only lead into it ("CI/CD for the monorepo").
  const escaped = doubled.map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  const lead = new RegExp(`^(?:\\S+\\s+)?(?:${escaped})\\S*\\s+(?:for|of|on|in)\\s+`, 'i');
  const rest = subject.replace(lead, '');
  if (rest !== subject) return fill(template, rest, verb);
  const first = splitVerb(template).verb ?? (template.split(/\s+/)[0] ?? '').toLowerCase();
  return `${verbFor(first, subject)} ${subject}`;
}

/** The longest title a subtask gets from the rules: lists and trees show it whole. */
export const TITLE_MAX = 80;

/** A long item shortened where its words allow (before "with …", a clause, a colon), else at a word. */
export function shortTitle(text: string, max: number): string {
  const cuts = [QUALIFIER.exec(text)?.index, CLAUSE.exec(text)?.index, text.indexOf(': '), text.indexOf(' — ')]
    .filter((i): i is number => i !== undefined && i > 0 && i <= max)
    .sort((a, b) => a - b);
  const cut = cuts.find((i) => text.slice(0, i).split(/\s+/).length >= 3);
  if (cut !== undefined) return text.slice(0, cut).replace(/[,;:\s]+$/, '');
  const words = text.slice(0, max).split(/\s+/);
  words.pop();
  return `${words.join(' ').replace(/[,;:\s]+$/, '')}…`;
}

/** Collapses whitespace and shortens to a valid title. */
export function clipTitle(text: string): string {
  const title = text.replace(/\s+/g, ' ').trim();
  return title.length <= LIMITS.titleChars ? title : `${title.slice(0, LIMITS.titleChars - 1)}…`;
}
