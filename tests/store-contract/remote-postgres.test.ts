import { postgresBackend } from '../helpers/stores.js';
import { storeContract } from './contract.js';
import { remoteRun } from './runs.js';

// Local and remote are one contract: the same suite through RemoteBaton and a real `baton serve`.
storeContract(remoteRun(postgresBackend));
