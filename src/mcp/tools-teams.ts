import { z } from 'zod';
import { contributeFields } from '../core/schemas.js';
import { noInput } from './schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';
import { label, summary } from './views.js';

/** Teams and collaboration, for an agent deciding where work goes or helping on another's task. */

const listTeams = defineTool({
  name: 'list_teams',
  title: 'Teams',
  description:
    "The teams (create_task with team: only its members may claim the task) with each member's load: tasks running and " +
    "reserved, done in the last hour, success rate, and the ready tasks it could take. A leader breaks its team's tasks down " +
    'for the others and reviews their results.',
  input: noInput,
  annotations: READ_ONLY,
  async run(_args, { baton }: ToolContext) {
    const teams = await baton.listTeams();
    const line = (t: (typeof teams)[number]) =>
      `${t.name}${t.leader ? ` (leader ${t.leader})` : ''}: ${t.load.map((l) => `${l.id} ${l.running} running/${l.demand} ready`).join(', ')}`;
    return { summary: teams.length ? teams.map(line).join('; ') : 'no teams', data: { teams } };
  },
});

const contributeInput = contributeFields.omit({ workerId: true }).extend({
  id: z.number().int().positive().describe('task id of a task naming you as a collaborator, held by another worker'),
});

const contribute = defineTool({
  name: 'contribute',
  title: 'Contribute to a task',
  description:
    'Help on a task another worker holds that names you among its collaborators: add a note, a progress step of your own (step ' +
    'with progress) or artifacts. They are recorded as yours; the holder keeps the lease, its progress and the result.',
  input: contributeInput,
  annotations: WRITE,
  async run({ id, ...fields }, { baton, session }: ToolContext) {
    const task = await baton.contribute(id, { workerId: session.workerId, ...fields });
    return { summary: `contributed to ${label(task)}`, data: { task: summary(task) } };
  },
});

export const TEAM_TOOLS: Tool[] = [listTeams, contribute];
