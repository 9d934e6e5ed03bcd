// Opens a Baton store and closes it: one of the processes racing to open (and migrate) a store.
// Imports the built code, so run `npx tsc -p tsconfig.build.json` first (see open-store.ts).
//   node open-store.mjs URL
import { openBaton } from '../../dist/app/open.js';

const url = process.argv[2];
try {
  const baton = await openBaton({ db: url });
  const status = await baton.status();
  await baton.close();
  process.stdout.write(`${JSON.stringify({ ok: true, tasks: status.tasks.total })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: err.code ?? null, message: String(err.message) })}\n`);
  process.exitCode = 1;
}
