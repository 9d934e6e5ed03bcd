// A process that adds dependencies, for races between processes (dependency-races.test.ts).
// It imports the built code, so run `npx tsc -p tsconfig.build.json` first.
//
//   node add-dependencies.mjs DB
//
// It opens the store and prints `{"ready":true}`. Then for each line `TASK DEPENDS_ON` read from
// stdin it adds that dependency and prints `{"ok":true}` or `{"ok":false,"code":…}`.
import { createInterface } from 'node:readline';
import { openBaton } from '../../dist/app/open.js';

const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const baton = await openBaton({ db: process.argv[2], actor: 'adder' });
print({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const [task, dependsOn] = line.split(' ').map(Number);
  try {
    await baton.addDependencies(task, [dependsOn]);
    print({ ok: true });
  } catch (err) {
    print({ ok: false, code: err.code ?? null, message: String(err.message) });
  }
}
await baton.close();
