// A process that sweeps what fell due by time (expired leases, the next occurrences of recurring
// tasks) as fast as it can, for the store contract's race between processes over one fire time.
// It imports the built code, so run `npx tsc -p tsconfig.build.json` first.
//
//   node schedule-loop.mjs (--db URL | --server URL) --for MS
//
// It opens the store, prints `{"ready":true}`, waits for a line on stdin, sweeps for MS
// milliseconds and prints `{"sweeps":N,"errors":[...]}`.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { db: { type: 'string' }, server: { type: 'string' }, for: { type: 'string', default: '3000' } },
});
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const baton = values.server
  ? new (await import('../../dist/client/remote-baton.js')).RemoteBaton({ url: values.server })
  : await (await import('../../dist/app/open.js')).openBaton({ db: values.db, actor: `sweeper-${process.pid}` });
print({ ready: true });
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const until = Date.now() + Number(values.for);
let sweeps = 0;
const errors = [];
while (Date.now() < until) {
  try {
    await baton.expireLeases();
    sweeps += 1;
  } catch (err) {
    errors.push({ code: err?.code ?? 'internal', message: String(err?.message ?? err) });
    if (errors.length > 20) break;
  }
}
print({ sweeps, errors });
await baton.close();
process.exit(errors.length === 0 ? 0 : 1);
