import { LIMITS } from '../limits.js';

/**
 * The subject of a task, named in its subtasks' titles: "Build the user management REST API" →
 * "the user management REST API", so a step reads "Tests for the user management REST API".
 * Only a leading verb that merely says "do it" is dropped; verbs that carry meaning (migrate,
 * upgrade, investigate) stay, since the subject would lose it.
 */
const EMPTY_VERBS = [
  'build',
  'create',
  'implement',
  'add',
  'make',
  'develop',
  'write',
  'set up',
  'setup',
  'introduce',
  'redo',
  'rebuild',
  'ship',
  'deliver',
  'provide',
  'do',
  'we need',
  'we need to',
  'need',
  'need to',
  'please',
  'todo:',
];

const VERB = new RegExp(
  `^(?:${EMPTY_VERBS.map((v) => v.replace(/[.*+?^${}()|[\]\\:]/g, '\\$&').replace(/ /g, '\\s+'))
    .sort((a, b) => b.length - a.length)
    .join('|')})\\s+`,
  'i',
);

export function subjectOf(title: string): string {
  let subject = title
    .trim()
    // Estimates and tags typed into titles ("…, 40h", "(3d)") are not part of the subject.
    .replace(/[\s,;:–-]*\(?\b\d+(?:\.\d+)?\s*(?:m|min|h|d|w|hours?|days?|weeks?)\)?\s*$/i, '')
    .replace(/[.!?:;,\s]+$/, '');
  for (let i = 0; i < 2; i++) subject = subject.replace(VERB, '');
  return subject.length > 0 ? subject : title.trim();
}

/** Fills a step's title template, keeping the result a valid title. */
export function stepTitle(template: string, subject: string): string {
  const filled = template.includes('{subject}') ? template.replaceAll('{subject}', subject) : `${template}: ${subject}`;
  return clipTitle(filled);
}

/** Collapses whitespace and shortens to a valid title. */
export function clipTitle(text: string): string {
  const title = text.replace(/\s+/g, ' ').trim();
  return title.length <= LIMITS.titleChars ? title : `${title.slice(0, LIMITS.titleChars - 1)}…`;
}
