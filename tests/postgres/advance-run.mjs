// Reads one workflow run over and over for a while: each local read advances the run, so several
// of these processes advance the same run at once. Imports the built code (`npm run build`).
//   node advance-run.mjs URL RUN_ID MILLISECONDS
import { openBaton } from '../../dist/app/open.js';

const [url, id, ms] = process.argv.slice(2);
const baton = await openBaton({ db: url });
const until = Date.now() + Number(ms);
let reads = 0;
try {
  while (Date.now() < until) {
    await baton.getRun(Number(id));
    reads++;
  }
  process.stdout.write(`${JSON.stringify({ ok: true, reads })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: err.code ?? null, message: String(err.message) })}\n`);
  process.exitCode = 1;
} finally {
  await baton.close();
}
