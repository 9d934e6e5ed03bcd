import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { SWARM_MERGES } from '../types.js';
import { chars, nameSchema, percentSchema, taskIdSchema, text, tooMany, workerIdSchema } from './fields.js';

/** Inputs of teams, collaborators, swarms and pipelines (`core/teams.ts`, `core/swarm.ts`). */

/** The most workers one team, or one task's collaborators, may name. */
export const TEAM_MAX_MEMBERS = 100;
/** The most parallel attempts one swarm may run. */
export const SWARM_MAX_SIZE = 20;

const memberListSchema = z
  .array(workerIdSchema)
  .max(TEAM_MAX_MEMBERS, tooMany(TEAM_MAX_MEMBERS))
  .transform((ids) => [...new Set(ids)]);

/** `addTeam`: a name, its members (registered workers), and optionally its leader among them. */
export const teamSchema = z
  .strictObject({
    name: nameSchema,
    members: memberListSchema.refine((ids) => ids.length > 0, 'must name at least one worker'),
    leader: workerIdSchema.optional(),
  })
  .refine((t) => t.leader === undefined || t.members.includes(t.leader), {
    message: 'must be one of the members',
    path: ['leader'],
  });
export type TeamInput = z.input<typeof teamSchema>;

/** `removeTeam(name)`. */
export const teamRefSchema = z.strictObject({ name: nameSchema });

/** The fields of `createTask` for teamwork. */
export const teamworkFields = {
  /** Only this team's members may claim the task (and, with a leader, its breakdown is reserved for followers). */
  team: nameSchema.optional(),
  /** Workers who may add notes, progress and artifacts while another holds the lease. */
  collaborators: memberListSchema.optional(),
  /** Runs the task as this many parallel attempts, each by a different worker. */
  swarm: z
    .number()
    .int('must be a whole number')
    .min(2, `must be from 2 to ${SWARM_MAX_SIZE}`)
    .max(SWARM_MAX_SIZE, `must be from 2 to ${SWARM_MAX_SIZE}`)
    .optional(),
  /** How a swarm's results become the task's: all (a list), first, vote (the most given), command (a merge step). */
  merge: z.enum(SWARM_MERGES, { error: `must be one of ${SWARM_MERGES.join(', ')}` }).optional(),
  /** The merge step's shell command (`merge: command`): it runs with the attempts' results as input. */
  mergeCommand: chars(LIMITS.commandChars).min(1, 'must not be empty').optional(),
  /** Pipeline: once ready, the task's input is the result of this dependency. */
  inputFrom: taskIdSchema.optional(),
};

/** `contribute(id, …)`: a collaborator's note, progress step or artifacts on a task another worker holds. */
export const contributeFields = z.strictObject({
  workerId: workerIdSchema,
  note: text(LIMITS.noteChars).optional(),
  /** A progress step of the collaborator's own (the holder's progress is not touched). */
  step: nameSchema.optional(),
  progress: percentSchema.optional(),
  artifacts: z.array(text(LIMITS.artifactChars)).max(LIMITS.artifacts, tooMany(LIMITS.artifacts)).optional(),
});
export const contributeSchema = contributeFields.refine(
  (c) => c.note !== undefined || c.step !== undefined || (c.artifacts?.length ?? 0) > 0,
  {
    message: 'give a note, a step (with its progress) or artifacts',
    path: ['note'],
  },
);
export type ContributeInput = z.input<typeof contributeSchema>;
