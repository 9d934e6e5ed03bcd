import { planToMarkdown } from '../core/plan/document.js';
import { importPlanSchema, LIMITS } from '../core/schemas.js';
import { planExportQuery } from './http-schemas.js';
import { route } from './route.js';

const tag = 'plans';

/** Plans in and out: Markdown or JSON trees of tasks (README "Plans"). */
export const planRoutes = [
  route({
    method: 'POST',
    path: '/plans',
    summary:
      'Import a plan — markdown (headings, nested lists, checklists, @capability, !priority, ~estimate, "depends on #N" lines) or plan (JSON) — as tasks in one transaction; dryRun: only the tree',
    tag,
    access: 'admin',
    // A Markdown plan of LIMITS.planChars characters, at up to 4 bytes each, and its JSON quoting.
    bodyLimit: LIMITS.planChars * 5,
    body: importPlanSchema,
    handle: ({ baton, body }) => baton.importPlan(body),
  }),
  route({
    method: 'GET',
    path: '/plans',
    summary:
      'Export the tree under root (or every task) as a plan: JSON, or Markdown with format=md (text/markdown; imports back as the same tree)',
    tag,
    access: 'read',
    heavy: true,
    query: planExportQuery,
    handle: async ({ baton, query, reply }) => {
      const { format, ...rest } = query;
      const plan = await baton.exportPlan(rest);
      if (format !== 'md') return plan;
      void reply.type('text/markdown; charset=utf-8');
      return planToMarkdown(plan);
    },
  }),
];
