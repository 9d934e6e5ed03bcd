import type { PatternRegistry } from './registry.js';
import { compile, type Matcher, occurs, tokenize } from './text.js';
import type { BreakdownSubject, Detection, Pattern } from './types.js';

/**
 * Which kind of work a task is. Each pattern scores the words of the task: its intents (the kind
 * of work whatever the topic: "learn", "upgrade", "investigate") weigh most, then its topic
 * keywords; the title counts more than the description, and in the title what follows "with",
 * "using" or "via" only qualifies the work ("the user API with JWT auth" is API work); the task's
 * type and capabilities count too. The best score wins if it reaches MIN_SCORE, else the generic pattern applies.
 */
const WEIGHT = {
  intentInTitle: 7,
  intentInDescription: 2,
  phraseInTitle: 4,
  wordInTitle: 3,
  inDescription: 1,
  capability: 2,
  type: 6,
} as const;
const QUALIFIERS = new Set(['with', 'using', 'via']);
/** One title word, or two description words. */
const MIN_SCORE = 2;

interface Compiled {
  keywords: Matcher[];
  intents: Matcher[];
}

const compiled = new WeakMap<Pattern, Compiled>();

function compiledOf(pattern: Pattern): Compiled {
  let c = compiled.get(pattern);
  if (!c) {
    c = { keywords: pattern.keywords.map(compile), intents: (pattern.intents ?? []).map(compile) };
    compiled.set(pattern, c);
  }
  return c;
}

interface Texts {
  title: string[];
  /** Title words after "with", "using", "via". */
  qualifier: string[];
  description: string[];
  capabilities: string[];
  type: string | null;
}

function score(pattern: Pattern, texts: Texts): { score: number; matched: string[] } {
  const { keywords, intents } = compiledOf(pattern);
  let total = 0;
  const matched: string[] = [];
  for (const m of intents) {
    if (occurs(m, texts.title)) {
      total += WEIGHT.intentInTitle;
      matched.push(`title: "${m.keyword}"`);
    } else if (occurs(m, texts.qualifier) || occurs(m, texts.description)) {
      total += WEIGHT.intentInDescription;
      matched.push(`description: "${m.keyword}"`);
    }
  }
  for (const m of keywords) {
    if (occurs(m, texts.title)) {
      total += m.words.length > 1 ? WEIGHT.phraseInTitle : WEIGHT.wordInTitle;
      matched.push(`title: "${m.keyword}"`);
    } else if (occurs(m, texts.qualifier)) {
      total += WEIGHT.inDescription;
      matched.push(`title: "${m.keyword}"`);
    } else if (occurs(m, texts.description)) {
      total += WEIGHT.inDescription;
      matched.push(`description: "${m.keyword}"`);
    } else if (occurs(m, texts.capabilities)) {
      total += WEIGHT.capability;
      matched.push(`capability: "${m.keyword}"`);
    }
  }
  if (texts.type && (pattern.types ?? []).includes(texts.type)) {
    total += WEIGHT.type;
    matched.push(`type: ${texts.type}`);
  }
  return { score: total, matched };
}

export function detectPattern(subject: BreakdownSubject, registry: PatternRegistry): Detection {
  const titleTokens = tokenize(subject.title);
  const cut = titleTokens.findIndex((t, i) => i > 0 && QUALIFIERS.has(t));
  const texts: Texts = {
    title: cut < 0 ? titleTokens : titleTokens.slice(0, cut),
    qualifier: cut < 0 ? [] : titleTokens.slice(cut + 1),
    description: tokenize(subject.description ?? ''),
    // Each capability is its own phrase: "api_design" must not run into the next one.
    capabilities: (subject.capabilities ?? []).flatMap((c) => [...tokenize(c), '|']),
    type: subject.type?.trim().toLowerCase() ?? null,
  };
  const scored = registry
    .candidates()
    .map((pattern) => ({ pattern, ...score(pattern, texts) }))
    .filter((s) => s.score > 0);
  // Stable sort keeps registration order among equal scores.
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0];
  const candidates = scored.map((s) => ({ pattern: s.pattern.name, score: s.score }));
  if (!best || best.score < MIN_SCORE) {
    const generic = registry.generic();
    return { pattern: generic.name, label: generic.label, score: 0, matched: [], candidates };
  }
  return { pattern: best.pattern.name, label: best.pattern.label, score: best.score, matched: best.matched, candidates };
}
