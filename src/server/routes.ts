import type { RouteSpec } from './route.js';
import { assignmentRoutes } from './routes-assignment.js';
import { fleetRoutes } from './routes-fleet.js';
import { insightRoutes } from './routes-insights.js';
import { integrationRoutes } from './routes-integrations.js';
import { maintenanceRoutes } from './routes-maintenance.js';
import { planRoutes } from './routes-plans.js';
import { queueRoutes } from './routes-queues.js';
import { resourceRoutes } from './routes-resources.js';
import { runRoutes } from './routes-runs.js';
import { type SystemDeps, systemRoutes } from './routes-system.js';
import { taskRoutes } from './routes-tasks.js';
import { teamRoutes } from './routes-teams.js';
import { webhookRoutes } from './routes-webhooks.js';
import { workRoutes } from './routes-work.js';
import { workflowRoutes } from './routes-workflows.js';

/** Every route of /api/v1 that maps onto one `Baton` call (events and metrics text are in events.ts). */
export function routesOf(deps: Omit<SystemDeps, 'importLimit'> & { importLimit?: number | undefined }): RouteSpec[] {
  return [
    ...taskRoutes,
    ...workRoutes,
    ...assignmentRoutes,
    ...workflowRoutes,
    ...resourceRoutes,
    ...queueRoutes,
    ...runRoutes,
    ...insightRoutes,
    ...planRoutes,
    ...maintenanceRoutes,
    ...webhookRoutes,
    ...integrationRoutes,
    ...fleetRoutes,
    ...teamRoutes,
    ...systemRoutes({ ...deps, importLimit: deps.importLimit ?? 256 * 1024 * 1024 }),
  ];
}
