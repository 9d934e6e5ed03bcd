import type { WorkflowDefinition } from './schema.js';

/** One registered version of a workflow definition. */
export interface WorkflowRecord {
  name: string;
  /** 1 for the first registration; each changed definition of the same name adds one. */
  version: number;
  description: string | null;
  definition: WorkflowDefinition;
  /** The file as registered (YAML or JSON), comments included. */
  source: string;
  createdBy: string | null;
  /** ISO-8601. */
  createdAt: string;
}

/** A `workflows` row as either store returns it (times in ms since the epoch). */
export function workflowRecordOf(r: Record<string, unknown>): WorkflowRecord {
  return {
    name: String(r.name),
    version: Number(r.version),
    description: (r.description as string | null) ?? null,
    definition: (typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition) as WorkflowDefinition,
    source: String(r.source),
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: new Date(Number(r.created_at)).toISOString(),
  };
}
