import { freshSchema } from '../postgres/pg-test-db.js';
import { storeContract } from './contract.js';

// The same suite as SQLite, unchanged, with one fresh schema per test. An unreachable server
// makes every test fail (never skip), so CI cannot go green without PostgreSQL.
storeContract('postgres', async () => {
  const { url, cleanup } = await freshSchema();
  return { url, cleanup };
});
