// A process that uses a PostgreSQL store while its connections are cut under it (see
// broken-connections.test.ts). Imports the built code: run `npx tsc -p tsconfig.build.json` first.
//   node read-after-cut.mjs URL
// Prints `ready` once the store is open and a task made, then on each line read from stdin reads
// the task and prints it as JSON; exits when stdin ends.
import { createInterface } from 'node:readline';
import { openBaton } from '../../dist/app/open.js';

const baton = await openBaton({ db: process.argv[2], actor: 'test' });
const task = await baton.createTask({ title: 'read after a cut', tags: ['a', 'b'] });
process.stdout.write('ready\n');
for await (const _ of createInterface({ input: process.stdin })) {
  try {
    const read = await baton.getTask(task.id);
    process.stdout.write(`${JSON.stringify({ ok: true, tags: read.tags })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code ?? null })}\n`);
  }
}
await baton.close();
