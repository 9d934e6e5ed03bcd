/**
 * An explicit checklist in a description — the most direct signal a user gives of how the work
 * splits. Markdown task items (`- [ ] …`), numbered steps (`1. …`, `2) …`) and bullets (`- …`,
 * `* …`, `+ …`) at the outermost indentation become items, in order; deeper lines are kept as the
 * item's details.
 */

export interface ChecklistItem {
  text: string;
  /** Lines indented under the item. */
  details: string | null;
  /** `- [x]` items are already done. */
  done: boolean;
  kind: 'task' | 'numbered' | 'bullet';
}

const ITEM = /^(\s*)(?:([-*+])\s+\[( |x|X)\]\s+|([-*+])\s+|(\d{1,3})[.)]\s+)(.*\S)\s*$/;

interface RawItem extends ChecklistItem {
  indent: number;
  detailLines: string[];
}

export function parseChecklist(description: string | null | undefined): ChecklistItem[] {
  if (!description) return [];
  const items: RawItem[] = [];
  let inFence = false;
  for (const line of description.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = ITEM.exec(line);
    if (m) {
      const indent = (m[1] ?? '').replace(/\t/g, '    ').length;
      const kind = m[2] ? 'task' : m[4] ? 'bullet' : 'numbered';
      items.push({ text: m[6] as string, details: null, done: /x/i.test(m[3] ?? ''), kind, indent, detailLines: [] });
    } else if (items.length > 0 && /^\s+\S/.test(line)) {
      items[items.length - 1]?.detailLines.push(line.trim());
    }
  }
  if (items.length === 0) return [];
  const outer = Math.min(...items.map((i) => i.indent));
  const top: RawItem[] = [];
  for (const item of items) {
    if (item.indent === outer) top.push(item);
    else top[top.length - 1]?.detailLines.push(`- ${item.text}`, ...item.detailLines);
  }
  // When task items are present, plain bullets beside them are notes rather than steps.
  const hasTasks = top.some((i) => i.kind === 'task');
  return top
    .filter((i) => !hasTasks || i.kind === 'task')
    .map(({ text, done, kind, detailLines }) => ({
      text,
      done,
      kind,
      details: detailLines.length > 0 ? detailLines.join('\n') : null,
    }));
}

/** A checklist is used for breakdown only when it names at least two steps. */
export function checklistForBreakdown(description: string | null | undefined): ChecklistItem[] {
  const items = parseChecklist(description);
  return items.length >= 2 ? items : [];
}
