import { z } from 'zod';
import { setResourceSchema } from '../core/schemas.js';
import { type RouteSpec, route } from './route.js';

/** Resources: their capacities and holders, and setting a capacity. */

const tag = 'resources';

export const resourceSchema = z.strictObject({
  name: z.string(),
  capacity: z.number().int(),
  holders: z.array(z.number().int()),
  waiting: z.number().int(),
});

const nameParams = z.strictObject({ name: setResourceSchema.shape.name });
const capacityBody = setResourceSchema.pick({ capacity: true });

export const resourceRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/resources',
    summary: 'Resources: capacity, the executing tasks holding each, and how many ready tasks name it',
    tag,
    access: 'read',
    response: z.strictObject({ resources: z.array(resourceSchema) }),
    handle: async ({ baton }) => ({ resources: await baton.listResources() }),
  }),
  route({
    method: 'PUT',
    path: '/resources/:name',
    summary: 'Set how many tasks holding a resource may execute at once',
    tag,
    access: 'admin',
    params: nameParams,
    body: capacityBody,
    response: resourceSchema,
    handle: ({ baton, params, body }) => baton.setResource({ name: params.name, capacity: body.capacity }),
  }),
];
