import { postgresBackend } from '../helpers/stores.js';
import { storeContract } from './contract.js';
import { localRun } from './runs.js';

// The same suite as SQLite, unchanged, with one fresh schema per test. An unreachable server
// makes every test fail (never skip), so CI cannot go green without PostgreSQL.
storeContract(localRun(postgresBackend));
