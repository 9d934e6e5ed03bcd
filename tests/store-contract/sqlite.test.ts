import { sqliteBackend } from '../helpers/stores.js';
import { storeContract } from './contract.js';
import { localRun } from './runs.js';

storeContract(localRun(sqliteBackend));
