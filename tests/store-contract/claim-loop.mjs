// A worker in its own OS process, for the store contract's multi-process races.
// It imports the built code, so run `npx tsc -p tsconfig.build.json` first.
//
//   node claim-loop.mjs (--db URL | --server URL) --worker ID [--mode drain|hold] [--lease SECONDS]
//
// It opens the store (with --server: a RemoteBaton of that `baton serve`), prints `{"ready":true}`
// and waits for a line on stdin, so that every process of a race starts claiming at the same
// moment. Then:
// - drain: claims and completes tasks until none is left, and prints one JSON summary line
//   `{"worker","pid","completed":[ids],"errors":[{code,message}]}`; exits 1 on any error.
// - hold: claims one task, prints `{"claimed":{"id","token","expiresAt"}}` and hangs, holding
//   the lease until it is killed.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    server: { type: 'string' },
    worker: { type: 'string' },
    mode: { type: 'string', default: 'drain' },
    lease: { type: 'string', default: '300' },
  },
});
if (!(values.db || values.server) || !values.worker) {
  process.stderr.write('usage: claim-loop.mjs (--db URL | --server URL) --worker ID [--mode drain|hold] [--lease SECONDS]\n');
  process.exit(2);
}
const worker = values.worker;
const leaseSeconds = Number(values.lease);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

function waitForGo() {
  return new Promise((resolve) => {
    process.stdin.once('data', () => {
      process.stdin.pause();
      resolve();
    });
  });
}

async function drain(baton) {
  const completed = [];
  const errors = [];
  try {
    for (;;) {
      const task = await baton.claim({ workerId: worker, leaseSeconds });
      if (!task) break;
      await baton.complete(task.id, { workerId: worker, token: task.lease.token, result: { by: worker } });
      completed.push(task.id);
    }
  } catch (err) {
    errors.push({ code: err?.code ?? 'internal', message: String(err?.message ?? err) });
  }
  print({ worker, pid: process.pid, completed, errors });
  return errors.length === 0 ? 0 : 1;
}

async function hold(baton) {
  const task = await baton.claim({ workerId: worker, leaseSeconds });
  print({ claimed: task ? { id: task.id, token: task.lease.token, expiresAt: task.lease.expiresAt } : null });
  // Hold the lease without heartbeats until killed.
  setInterval(() => undefined, 60_000);
  return new Promise(() => undefined);
}

// Only the side in use is loaded: nine processes starting at once load it on a busy machine.
const baton = values.server
  ? new (await import('../../dist/client/remote-baton.js')).RemoteBaton({ url: values.server })
  : await (await import('../../dist/app/open.js')).openBaton({ db: values.db, actor: worker });
print({ ready: true });
await waitForGo();
let code = 1;
try {
  code = values.mode === 'hold' ? await hold(baton) : await drain(baton);
} finally {
  await baton.close();
}
process.exit(code);
