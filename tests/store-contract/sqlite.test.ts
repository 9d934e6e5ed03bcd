import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-contract-'));
  return {
    url: join(dir, 'baton.db'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
