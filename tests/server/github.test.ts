import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubLink, GithubSyncReport } from '../../src/app/baton.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { cliAsync, json } from '../cli/run-cli.js';
import { type GithubFake, githubFake } from '../helpers/github-fake.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

const REPO = 'acme/widgets';

describe.each([sqliteBackend, postgresBackend])('GitHub issues through baton serve on $name', (backend) => {
  let store: TestStore;
  let server: ServeProcess;
  let fake: GithubFake;
  let remote: RemoteBaton;
  // Not spawnSync: the fake GitHub answers from this very process, whose event loop must stay free.
  const baton = (args: string[]) => cliAsync(store.cwd, [...args, '--server', server.url, '--json']);
  const sync = async () => json<GithubSyncReport>(await baton(['github', 'sync']));
  const links = async () => new Map((await remote.githubLinks()).map((l: GithubLink) => [l.number, l]));

  beforeAll(async () => {
    fake = await githubFake(
      {
        [REPO]: [
          { number: 1, title: 'Render on the GPU', labels: ['bug', 'cap:gpu'], milestone: 1 },
          { number: 2, title: 'Cache the renders', body: 'Depends on #1 for the output.', labels: ['bug'], milestone: 1 },
          { number: 3, title: 'Old bug', labels: ['bug'], state: 'closed' },
          { number: 4, title: 'Write the docs', labels: ['docs'] },
          { number: 5, title: 'A pull request', labels: ['bug'], pullRequest: true },
          { number: 6, title: 'A bug for later', labels: ['bug'] },
        ],
      },
      // Two issues a page: every listing of more follows the Link header.
      { pageSize: 2 },
    );
    store = await backend.fresh();
    store.configure({ github: { apiUrl: fake.url } });
    // The server reads its token from its environment, as an operator would set it.
    process.env.GITHUB_TOKEN = fake.token;
    try {
      server = await startServe(store);
    } finally {
      delete process.env.GITHUB_TOKEN;
    }
    remote = new RemoteBaton({ url: server.url });
  }, 120_000);

  afterAll(async () => {
    await remote?.close();
    await server?.stop();
    await fake?.close();
    await store?.remove();
  });

  it('imports the open issues of a label and milestone: labels as tags and capabilities, "depends on" as a dependency', async () => {
    const report = json<GithubSyncReport>(await baton(['github', 'import', REPO, '--label', 'bug', '--milestone', 'v1']));
    expect(report).toMatchObject({ repos: [REPO], imported: 2, tasksUpdated: 1 });
    const linked = await links();
    expect([...linked.keys()]).toEqual([1, 2]);
    const gpu = await remote.getTask((linked.get(1) as GithubLink).taskId);
    expect(gpu).toMatchObject({ title: 'Render on the GPU', tags: ['bug'], capabilities: ['gpu'] });
    const cache = await remote.getTask((linked.get(2) as GithubLink).taskId);
    expect(cache.dependsOn).toEqual([gpu.id]);
    expect(cache.description).toContain(`GitHub issue ${REPO}#2`);

    // Again, with the label only: issue 6 joins; those linked are not imported twice; the PR never.
    const again = json<GithubSyncReport>(await baton(['github', 'import', REPO, '--label', 'bug']));
    expect(again.imported).toBe(1);
    expect([...(await links()).keys()]).toEqual([1, 2, 6]);
    expect(fake.requests.filter((r) => r.path.includes('page=2')).length).toBeGreaterThan(0);
  });

  it('syncs conditionally: once its cursor settles, a sync with nothing changed is a 304', async () => {
    await sync();
    await sync();
    const quiet = await sync();
    expect(quiet).toMatchObject({ notModified: 1, tasksUpdated: 0, issuesUpdated: 0 });
    expect(fake.requests.at(-1)?.status).toBe(304);
  });

  it('follows the issues: closed → task cancelled, labels → tags and capabilities', async () => {
    const linked = await links();
    fake.edit(REPO, 6, { state: 'closed' });
    fake.edit(REPO, 1, { labels: ['bug', 'cap:gpu', 'p1'] });
    const report = await sync();
    expect(report.tasksUpdated).toBe(2);
    expect((await remote.getTask((linked.get(6) as GithubLink).taskId)).status).toBe('cancelled');
    expect(await remote.getTask((linked.get(1) as GithubLink).taskId)).toMatchObject({
      tags: ['bug', 'p1'],
      capabilities: ['gpu'],
    });
    expect((await links()).get(6)?.state).toBe('closed');
  });

  it('follows the tasks: a completed task closes its issue with a comment; new tags become labels', async () => {
    const linked = await links();
    const gpuId = (linked.get(1) as GithubLink).taskId;
    const cacheId = (linked.get(2) as GithubLink).taskId;
    await remote.registerWorker({ id: 'w-gpu', capabilities: ['gpu'] });
    const claimed = await remote.claimTask(gpuId, { workerId: 'w-gpu' });
    await remote.complete(gpuId, { workerId: 'w-gpu', token: claimed.lease?.token, result: { summary: 'Rendered on the GPU.' } });
    await remote.updateTask(cacheId, { tags: ['bug', 'perf'] });
    const report = await sync();
    expect(report.issuesUpdated).toBe(2);
    const issue = fake.issue(REPO, 1);
    expect(issue.state).toBe('closed');
    expect(issue.comments).toEqual([`Completed in Baton (task #${gpuId}).\n\nRendered on the GPU.`]);
    expect(fake.issue(REPO, 2).labels.sort()).toEqual(['bug', 'perf']);
    // Once only: the next sync finds nothing to do.
    const after = await sync();
    expect(after).toMatchObject({ tasksUpdated: 0, issuesUpdated: 0 });
    expect(fake.issue(REPO, 1).comments.length).toBe(1);
  });

  it('waits out a short secondary rate limit, and refuses a spent rate limit with a coded error', async () => {
    fake.edit(REPO, 2, { body: 'Depends on #1. Still.' });
    fake.limit('secondary');
    expect((await sync()).repos).toEqual([REPO]);
    fake.limit('primary', 5);
    const refused = await baton(['github', 'sync']);
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stderr || refused.stdout).error?.code ?? refused.stderr).toMatch(/github_rate_limited/);
  });

  it('refuses a repository name that is not OWNER/REPO, changing nothing', async () => {
    const before = (await remote.listTasks({})).tasks.length;
    const bad = await baton(['github', 'import', 'not a repo']);
    expect(bad.code).toBe(2);
    expect((await remote.listTasks({})).tasks.length).toBe(before);
  });
});
