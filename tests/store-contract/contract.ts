import { describe } from 'vitest';
import { assignmentContract } from './assignment.contract.js';
import { attemptContract } from './attempts.contract.js';
import { badInputContract } from './bad-input.contract.js';
import { breakdownViewContract } from './breakdown-views.contract.js';
import { claimContract } from './claims.contract.js';
import { completionContract } from './completions.contract.js';
import { conditionContract } from './conditions.contract.js';
import { dependencyContract } from './dependencies.contract.js';
import { estimateContract } from './estimates.contract.js';
import { fleetContract } from './fleet.contract.js';
import { graphRaceContract } from './graph-race.contract.js';
import { type ContractRun, useStores } from './harness.js';
import { insightContract } from './insights.contract.js';
import { integrationContract } from './integrations.contract.js';
import { limitContract } from './limits.contract.js';
import { pagingContract } from './paging.contract.js';
import { queueContract } from './queues.contract.js';
import { raceContract } from './races.contract.js';
import { reservationContract } from './reservations.contract.js';
import { resourceContract } from './resources.contract.js';
import { routingContract } from './routing.contract.js';
import { runContract } from './runs.contract.js';
import { linkedRunContract } from './runs-linked.contract.js';
import { scheduleContract } from './schedule.contract.js';
import { steerContract } from './steer.contract.js';
import { swarmContract } from './swarms.contract.js';
import { taskContract } from './tasks.contract.js';
import { teamContract } from './teams.contract.js';
import { textContract } from './text.contract.js';
import { transferContract } from './transfer.contract.js';
import { webhookContract } from './webhooks.contract.js';
import { workflowContract } from './workflows.contract.js';

/**
 * The store contract: one suite every backend, and both implementations of `Baton`, must pass
 * unchanged (DESIGN.md, invariants 5 and 7). The tests hold only a `Baton`, so a run is described
 * entirely by how it gets an empty store (`ContractRun`): LocalBaton in process, or RemoteBaton
 * against a real `baton serve`, on SQLite or PostgreSQL. Each test gets its own empty stores.
 */
export function storeContract(run: ContractRun): void {
  describe(`contract: ${run.name}`, () => {
    const store = useStores(run);
    taskContract(store);
    claimContract(store);
    completionContract(store);
    dependencyContract(store);
    conditionContract(store);
    graphRaceContract(store);
    transferContract(store);
    attemptContract(store);
    estimateContract(store);
    breakdownViewContract(store);
    badInputContract(store);
    limitContract(store);
    textContract(store);
    pagingContract(store);
    raceContract(store);
    routingContract(store);
    reservationContract(store);
    assignmentContract(store);
    workflowContract(store);
    scheduleContract(store);
    resourceContract(store);
    queueContract(store);
    runContract(store);
    linkedRunContract(store);
    teamContract(store);
    swarmContract(store);
    steerContract(store);
    insightContract(store);
    webhookContract(store);
    integrationContract(store);
    fleetContract(store);
  });
}
