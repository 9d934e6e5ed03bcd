import { describe } from 'vitest';
import { badInputContract } from './bad-input.contract.js';
import { claimContract } from './claims.contract.js';
import { dependencyContract } from './dependencies.contract.js';
import { type FreshDb, useFreshStore } from './harness.js';
import { limitContract } from './limits.contract.js';
import { pagingContract } from './paging.contract.js';
import { raceContract } from './races.contract.js';
import { taskContract } from './tasks.contract.js';
import { textContract } from './text.contract.js';
import { transferContract } from './transfer.contract.js';

/**
 * The store contract: one suite every backend must pass unchanged (DESIGN.md, invariant 5).
 * It goes only through `openBaton`, `LocalBaton` and the `Store` interface, so a backend is
 * described entirely by how to get an empty database: `freshDb` returns its URL (what `--db`
 * takes) and how to remove it. Each test gets its own database.
 */
export function storeContract(backend: string, freshDb: FreshDb): void {
  describe(`store contract: ${backend}`, () => {
    const store = useFreshStore(freshDb);
    taskContract(store);
    claimContract(store);
    dependencyContract(store);
    transferContract(store);
    badInputContract(store);
    limitContract(store);
    textContract(store);
    pagingContract(store);
    raceContract(store);
  });
}
