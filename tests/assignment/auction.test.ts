import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../helpers/stores.js';
import { online, type Stage, stage, waitFor } from './harness.js';

const BIDDERS = ['b1', 'b2', 'b3'];
/**
 * Long enough for three `baton bid` processes to start on a loaded machine (6 s was not, with the
 * suite running beside it); the auction closes early once all have bid, so only the silent one waits it out.
 */
const WINDOW_MS = 15_000;

describe.each([sqliteBackend, postgresBackend])('auction assignment on $name, real processes', (backend) => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage(backend, { assignment: 'auction', auction: { window: `${WINDOW_MS / 1000}s` } });
    for (const id of BIDDERS) s.worker(id, ['--capabilities', 'build', '--exec', 'true']);
    await online(s.remote, BIDDERS);
  }, 60_000);
  afterAll(() => s?.stop(), 60_000);

  const done = (id: number) =>
    waitFor(`task ${id} completed`, async () => {
      const t = await s.remote.getTask(id);
      return t.status === 'completed' ? t : null;
    });

  it('three workers bid through the CLI; the best bid wins as soon as all have bid, and that worker runs it', async () => {
    const created = await s.cli(['add', 'build the release', '--capabilities', 'build', '--json']);
    const task = JSON.parse(created.stdout) as { id: number; status: string; reservedFor: string };
    expect([task.status, task.reservedFor]).toEqual(['assigned', '~auction']);

    const scores: Record<string, string> = { b1: '0.4', b2: '0.8', b3: '0.6' };
    const bids = await Promise.all(
      BIDDERS.map((id) =>
        s.cli(['bid', String(task.id), '--worker', id, '--score', scores[id] as string, '--eta', '2h', '--json']),
      ),
    );
    for (const [i, r] of bids.entries()) {
      expect(r.code, r.stderr).toBe(0);
      const id = BIDDERS[i] as string;
      expect(JSON.parse(r.stdout)).toMatchObject({ workerId: id, score: Number(scores[id]), etaSeconds: 7200 });
    }
    const finished = await done(task.id);
    expect(finished.assignee).toBe('b2');

    const detail = await s.remote.showTask(task.id);
    expect(detail.bids?.map((b) => [b.workerId, b.score]).sort()).toEqual([
      ['b1', 0.4],
      ['b2', 0.8],
      ['b3', 0.6],
    ]);
    const types = detail.history.map((e) => e.type);
    expect(types.filter((t) => t === 'bid')).toHaveLength(3);
    const closed = detail.history.filter((e) => e.type === 'auction_closed');
    expect(closed.map((e) => e.data)).toEqual([expect.objectContaining({ outcome: 'won', winner: 'b2', score: 0.8, bids: 3 })]);
    // Closed because everyone bid, well before the window's end.
    const opened = detail.history.find((e) => e.type === 'auction_opened');
    expect(Date.parse(closed[0]?.at as string)).toBeLessThan(Date.parse(opened?.data?.closesAt as string));
    expect(detail.history.find((e) => e.type === 'claimed')?.workerId).toBe('b2');

    const shown = await s.cli(['show', String(task.id)]);
    expect(shown.stdout).toMatch(/bids\s+b\d 0\.\d0/);
    for (const id of BIDDERS) expect(shown.stdout).toContain(`${id} ${Number(scores[id]).toFixed(2)} eta 2h`);
    const explained = JSON.parse((await s.cli(['explain-assignment', String(task.id), '--json'])).stdout);
    expect(explained).toMatchObject({ mode: 'auction', offer: { kind: 'auction', outcome: 'won', workerId: 'b2' } });
    expect(explained.bids.map((b: { workerId: string }) => b.workerId)).toEqual(['b2', 'b3', 'b1']);
  });

  it('with no bid, the auction closes after its window and the task falls back to pull', async () => {
    const task = await s.remote.createTask({ title: 'nobody bids', capabilities: ['build'] });
    expect(task.reservedFor).toBe('~auction');
    const started = Date.now();
    const finished = await done(task.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MS - 1_000);
    expect(BIDDERS).toContain(finished.assignee);
    const history = (await s.remote.showTask(task.id)).history;
    expect(history.find((e) => e.type === 'auction_closed')?.data).toMatchObject({ outcome: 'no_bids', winner: null });
    expect(history.find((e) => e.type === 'unassigned')?.data).toMatchObject({ reason: 'no_bids' });
    expect(history.filter((e) => e.type === 'auction_opened')).toHaveLength(1);
  });

  it('refuses bids with a code and changes nothing: not in auction, unknown, offline or incapable worker, after the window', async () => {
    await s.remote.registerWorker({ id: 'gone', capabilities: ['build'] });
    await s.remote.unregisterWorker('gone');
    await s.remote.registerWorker({ id: 'painter', capabilities: ['paint'] });
    const pulled = await s.remote.createTask({ title: 'pulled', capabilities: ['nobody'], assignment: 'pull' });
    const auctioned = await s.remote.createTask({ title: 'auctioned', capabilities: ['build', 'nobody'] });
    expect(auctioned.reservedFor).toBe('~auction');
    const before = (await s.remote.events({ limit: 1_000_000 })).length;

    const refused = async (id: number, workerId: string, code: string) => {
      const err = await s.remote.bid(id, { workerId, score: 0.5 }).catch((e: unknown) => e);
      expect((err as { code?: string }).code, String(err)).toBe(code);
    };
    // Through the HTTP door, within the window.
    await refused(pulled.id, 'b1', 'not_in_auction');
    await refused(auctioned.id, 'nobody-here', 'worker_not_found');
    await refused(auctioned.id, 'gone', 'worker_offline');
    await refused(auctioned.id, 'painter', 'incapable_worker');
    await refused(auctioned.id, 'b1', 'incapable_worker');
    const bad = await s.remote.bid(auctioned.id, { workerId: 'b1', score: 1.5 }).catch((e: unknown) => e);
    expect((bad as { code?: string }).code).toBe('invalid_argument');
    // Through the CLI: the code and its exit status.
    const cliRefusal = await s.cli(['bid', String(pulled.id), '--worker', 'b1', '--score', '0.5', '--json']);
    expect([cliRefusal.code, JSON.parse(cliRefusal.stdout || cliRefusal.stderr).error.code]).toEqual([4, 'not_in_auction']);
    // The window passes: the auction closes without a bid, and a late bid is told so.
    await waitFor('the auction to close', async () => (await s.remote.getTask(auctioned.id)).status === 'queued');
    const after = (await s.remote.events({ limit: 1_000_000 })).filter((e) => e.taskId === auctioned.id).length;
    const late = await s.cli(['bid', String(auctioned.id), '--worker', 'b1', '--score', '0.5', '--json']);
    expect([late.code, JSON.parse(late.stdout || late.stderr).error.code]).toEqual([4, 'auction_closed']);

    const events = await s.remote.events({ limit: 1_000_000 });
    expect(events.filter((e) => e.type === 'bid' && (e.taskId === pulled.id || e.taskId === auctioned.id))).toEqual([]);
    expect(events.filter((e) => e.taskId === auctioned.id)).toHaveLength(after);
    // The only changes meanwhile: the auction's close (auction_closed, unassigned); none from the refusals.
    expect(events.slice(before).map((e) => e.type)).toEqual(['auction_closed', 'unassigned']);
    expect((await s.remote.showTask(auctioned.id)).bids).toBeUndefined();
  });
});

describe.each([sqliteBackend, postgresBackend])('worker --bid hooks on $name', (backend) => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage(backend, { assignment: 'auction', auction: { window: '3s' } });
    s.worker('h-low', ['-c', 'build', '--exec', 'true', '--bid', 'echo 0.3']);
    s.worker('h-high', ['-c', 'build', '--exec', 'true', '--bid', `echo '{"score":0.9,"etaSeconds":60,"note":"cached"}'`]);
    // Declines: a hook that exits non-zero places no bid.
    s.worker('h-no', ['-c', 'build', '--exec', 'true', '--bid', 'exit 1']);
    // Cannot do the task: never asked.
    s.worker('h-paint', ['-c', 'paint', '--exec', 'true', '--bid', 'echo 1']);
    await online(s.remote, ['h-low', 'h-high', 'h-no', 'h-paint']);
  }, 60_000);
  afterAll(() => s?.stop(), 60_000);

  it('each capable worker’s hook bids (or declines); the best hook bid wins when the window closes', async () => {
    const task = await s.remote.createTask({ title: 'hooked', capabilities: ['build'] });
    const finished = await waitFor('the task completed', async () => {
      const t = await s.remote.getTask(task.id);
      return t.status === 'completed' ? t : null;
    });
    expect(finished.assignee).toBe('h-high');
    const detail = await s.remote.showTask(task.id);
    expect(detail.bids?.map((b) => [b.workerId, b.score, b.etaSeconds, b.note]).sort()).toEqual([
      ['h-high', 0.9, 60, 'cached'],
      ['h-low', 0.3, null, null],
    ]);
    expect(detail.history.find((e) => e.type === 'auction_closed')?.data).toMatchObject({
      outcome: 'won',
      winner: 'h-high',
      bids: 2,
    });
  });
});
