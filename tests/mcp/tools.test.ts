import { describe, expect, it } from 'vitest';
import { connect, sleep, useProject } from './helpers.js';

const TOOLS = [
  'next_task',
  'claim_task',
  'get_task',
  'list_tasks',
  'create_task',
  'breakdown_task',
  'add_dependency',
  'report_progress',
  'add_note',
  'complete_task',
  'fail_task',
  'release_task',
  'review_task',
  'system_status',
  'list_workflows',
  'list_resources',
  'list_queues',
  'pause_claims',
  'resume_claims',
  'bid_task',
  'explain_assignment',
  'run_workflow',
  'workflow_status',
  'approve_step',
  'update_task',
  'cancel_task',
  'pause_task',
  'resume_task',
  'retry_task',
  'remove_dependency',
  'search_tasks',
  'complexity_report',
  'import_plan',
  'export_plan',
  'list_teams',
  'contribute',
];

describe('baton mcp: tools over stdio', () => {
  const project = useProject({ workerId: 'agent-a' });

  /** A plain task nobody else competes for: every test leaves the board without ready work. */
  const ready = (title: string, extra: Record<string, unknown> = {}) =>
    project.baton.createTask({ title, noBreakdown: true, ...extra });

  it('lists every tool with a description and a strict JSON input schema', async () => {
    const { tools } = await project.agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe('object');
      expect((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties, tool.name).toBe(false);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.create_task?.inputSchema.required).toEqual(['title']);
    expect(Object.keys(byName.create_task?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining([
        'title',
        'description',
        'priority',
        'capabilities',
        'dependsOn',
        'estimateMinutes',
        'noBreakdown',
        'hold',
      ]),
    );
    expect(byName.report_progress?.inputSchema.required).toEqual(['id', 'progress']);
    // Descriptions say what the statuses mean and which tool comes next.
    expect(byName.list_tasks?.description).toMatch(/queued = ready/);
    expect(byName.next_task?.description).toMatch(/complete_task/);
    expect(byName.complete_task?.description).toMatch(/next_task/);
    expect(byName.get_task?.annotations?.readOnlyHint).toBe(true);
  });

  it('bid_task bids as the session worker; as the only capable worker, it wins the auction at once; explain_assignment says why', async () => {
    const task = await ready('auctioned for agents', { assignment: 'auction', capabilities: [] });
    expect(task.reservedFor).toBe('~auction');
    const refused = await project.agent.call('bid_task', { id: task.id, score: 7 });
    expect(refused.isError).toBe(true);
    const bid = await project.agent.call('bid_task', { id: task.id, score: 0.7, etaSeconds: 120, note: 'on it' });
    expect(bid.isError).toBe(false);
    expect(bid.data).toMatchObject({ workerId: 'agent-a', score: 0.7, etaSeconds: 120, note: 'on it' });
    expect((await project.baton.getTask(task.id)).reservedFor).toBe('agent-a');
    const explained = await project.agent.call('explain_assignment', { id: task.id });
    expect(explained.data).toMatchObject({ mode: 'auction', offer: { outcome: 'won', workerId: 'agent-a' } });
    expect(explained.summary).toMatch(/auction/);
    const next = await project.agent.call('next_task', {});
    expect(next.data.task).toMatchObject({ id: task.id });
    await project.agent.call('complete_task', { id: task.id });
  });
  it('claims, reports progress, notes, reads and completes a task', async () => {
    const created = await ready('Write the changelog', { description: 'for release 1.2' });
    const claim = await project.agent.call('next_task', { capabilities: ['docs'] });
    expect(claim.isError).toBe(false);
    expect(claim.summary).toMatch(new RegExp(`^claimed #${created.id} "Write the changelog"`));
    expect(claim.data.task).toMatchObject({
      id: created.id,
      status: 'executing',
      assignee: 'agent-a',
      description: 'for release 1.2',
    });
    expect(claim.data.lease).toMatchObject({ workerId: 'agent-a', token: 1 });
    expect(claim.data.held).toEqual([created.id]);

    const progress = await project.agent.call('report_progress', {
      id: created.id,
      progress: 40,
      note: 'drafted',
      step: 'draft',
    });
    expect(progress.isError).toBe(false);
    expect(progress.data.task).toMatchObject({ id: created.id, progress: 40 });

    const note = await project.agent.call('add_note', { id: created.id, text: 'release date is Friday' });
    expect(note.isError).toBe(false);
    const afterNote = await project.baton.getTask(created.id);
    expect(afterNote.progress).toBe(40);
    expect(afterNote.notes.map((n) => [n.by, n.text])).toEqual([
      ['agent-a', 'drafted'],
      ['agent-a', 'release date is Friday'],
    ]);
    const events = await project.baton.events({ taskId: created.id });
    expect(events.filter((e) => e.type === 'note_added')).toHaveLength(1);

    const read = await project.agent.call('get_task', { id: created.id });
    expect(read.summary).toBe(`#${created.id} "Write the changelog" is executing at 40%`);
    expect(read.data).toMatchObject({ id: created.id, status: 'executing', progress: 40 });
    expect(read.data.checkpoints).toEqual([expect.objectContaining({ name: 'draft', progress: 40 })]);
    expect(read.data.recentHistory.join('\n')).toMatch(/claimed queued→executing by agent-a/);

    const done = await project.agent.call('complete_task', { id: created.id, result: { pages: 2 }, artifacts: ['CHANGELOG.md'] });
    expect(done.isError).toBe(false);
    expect(done.summary).toMatch(/completed; call next_task/);
    const final = await project.baton.getTask(created.id);
    expect(final).toMatchObject({ status: 'completed', progress: 100, result: { pages: 2 } });
    expect(final.artifacts.map((a) => a.path)).toEqual(['CHANGELOG.md']);
  });

  it('answers null when nothing fits, and waits when asked', async () => {
    const none = await project.agent.call('next_task');
    expect(none.isError).toBe(false);
    expect(none.data.task).toBeNull();
    expect(none.data.next).toMatch(/waitSeconds/);

    const waiting = project.agent.call('next_task', { waitSeconds: 10 });
    await sleep(300);
    const late = await ready('Arrives while the agent waits');
    const got = await waiting;
    expect(got.data.task.id).toBe(late.id);
    await project.agent.call('complete_task', { id: late.id });
  });

  it('fails an attempt (retried) and releases a task with a note', async () => {
    const task = await ready('Flaky migration');
    await project.agent.call('next_task');
    const failed = await project.agent.call('fail_task', { id: task.id, error: 'database locked' });
    expect(failed.isError).toBe(false);
    expect(failed.summary).toMatch(/will be retried/);
    expect(await project.baton.getTask(task.id)).toMatchObject({ status: 'queued', lastError: 'database locked', retries: 1 });
    await project.baton.cancelTask(task.id);

    const other = await ready('Needs a designer');
    await project.agent.call('next_task');
    const released = await project.agent.call('release_task', { id: other.id, note: 'needs design skills' });
    expect(released.isError).toBe(false);
    expect(released.summary).toMatch(/it is queued again/);
    const after = await project.baton.getTask(other.id);
    expect(after.status).toBe('queued');
    expect(after.notes.at(-1)?.text).toBe('released: needs design skills');
    await project.baton.cancelTask(other.id);
  });

  it('create_task takes the estimate as text, as the CLI does, and refuses a bare number', async () => {
    const sized = await project.agent.call('create_task', { title: 'Tune the cache', estimate: '4h30m', noBreakdown: true });
    expect(sized.isError).toBe(false);
    expect(sized.data.task.estimateMinutes).toBe(270);
    const bare = await project.agent.call('create_task', { title: 'Tune it again', estimate: '90' });
    expect(bare.isError).toBe(true);
    expect(bare.summary).toMatch(/estimate: .*90m/);
    await project.baton.cancelTask(sized.data.task.id as number);
  });

  it('create_task holds a task (hold): paused, nobody claims it until resume_task', async () => {
    const held = await project.agent.call('create_task', { title: 'Sketch the pricing page', hold: true });
    expect(held.isError).toBe(false);
    expect(held.summary).toMatch(/\(paused, simple\), on hold: nobody claims it until resume_task/);
    const claimable = await project.baton.listTasks({ ready: true, limit: 1000 });
    expect(claimable.tasks.map((t) => t.id)).not.toContain(held.data.task.id);
    const resumed = await project.agent.call('resume_task', { id: held.data.task.id });
    expect(resumed.isError).toBe(false);
    await project.baton.cancelTask(held.data.task.id as number);
  });

  it('create_task schedules a task (runAfter) and makes recurring ones (every, timezone), refusing a bad cron', async () => {
    const later = await project.agent.call('create_task', { title: 'Check the deploy', runAfter: '2h' });
    expect(later.isError).toBe(false);
    expect(later.summary).toMatch(/scheduled for \d{4}-/);
    expect(Date.parse(later.data.task.runAfter as string)).toBeGreaterThan(Date.now() + 3_600_000);
    const daily = await project.agent.call('create_task', { title: 'Rotate logs', every: '0 3 * * *', timezone: 'Asia/Tokyo' });
    expect(daily.isError).toBe(false);
    expect(daily.summary).toMatch(/recurring every "0 3 \* \* \*"; occurrence #\d+ is scheduled for/);
    expect(daily.data.task.recurrence).toMatchObject({ every: '0 3 * * *', timezone: 'Asia/Tokyo', templateId: null });
    const bad = await project.agent.call('create_task', { title: 'Never', every: '0 3 * *' });
    expect(bad.isError).toBe(true);
    expect(bad.data.error.message).toMatch(/^every: /);
    await project.baton.cancelTask(later.data.task.id as number);
    await project.baton.cancelTask(daily.data.task.id as number);
  });

  it('creates tasks with automatic breakdown, breaks one down, and adds dependencies', async () => {
    const epic = await project.agent.call('create_task', {
      title: 'Build a REST API for invoices',
      estimateMinutes: 40 * 60,
      capabilities: ['backend'],
    });
    expect(epic.isError).toBe(false);
    expect(epic.summary).toMatch(/broken down into \d+ subtasks/);
    expect(epic.data.task).toMatchObject({ status: 'executing', complexity: 'epic' });
    expect(epic.data.subtasks.total).toBeGreaterThanOrEqual(3);
    expect(epic.data.subtasks.shown[0]).toEqual(
      expect.objectContaining({ id: expect.any(Number), title: expect.any(String), status: 'queued' }),
    );

    const plain = await project.agent.call('create_task', {
      title: 'Research caching strategies',
      noBreakdown: true,
      priority: 'low',
    });
    const id = plain.data.task.id as number;
    const dry = await project.agent.call('breakdown_task', { id, dryRun: true });
    expect(dry.isError).toBe(false);
    expect(dry.data.dryRun).toBe(true);
    expect(dry.data.steps[0]).toMatchObject({ n: '1', title: expect.any(String), after: [] });
    expect((await project.baton.listTasks({ parentId: id })).total).toBe(0);
    const real = await project.agent.call('breakdown_task', { id });
    expect(real.isError).toBe(false);
    expect(real.data.total).toBe(dry.data.total);
    expect((await project.baton.listTasks({ parentId: id })).total).toBe(dry.data.total);
    const again = await project.agent.call('breakdown_task', { id, dryRun: true });
    expect(again.isError).toBe(false);
    expect(again.summary).toMatch(/broken down already/);
    expect(again.data).toMatchObject({ dryRun: true, existing: true, total: dry.data.total });

    const first = await ready('Pick a cache');
    const second = await ready('Implement the cache');
    const dep = await project.agent.call('add_dependency', { id: second.id, dependsOn: [first.id] });
    expect(dep.isError).toBe(false);
    expect(dep.data.task.status).toBe('blocked');
    const cycle = await project.agent.call('add_dependency', { id: first.id, dependsOn: [second.id] });
    expect(cycle.isError).toBe(true);
    expect(cycle.data.error.code).toBe('dependency_cycle');

    for (const t of [epic.data.task.id, id, first.id, second.id]) await project.baton.cancelTask(t);
  });

  it('pages lists as summaries and filters to my tasks', async () => {
    for (let i = 0; i < 25; i++) await ready(`Page item ${i}`, { tags: ['paging'] });
    const page = await project.agent.call('list_tasks', { tag: 'paging' });
    expect(page.data.total).toBe(25);
    expect(page.data.tasks).toHaveLength(20);
    expect(page.data.nextOffset).toBe(20);
    expect(Object.keys(page.data.tasks[0]).sort()).toEqual(['assignee', 'id', 'priority', 'progress', 'status', 'title']);
    const rest = await project.agent.call('list_tasks', { tag: 'paging', offset: 20 });
    expect(rest.data.tasks).toHaveLength(5);
    expect(rest.data.nextOffset).toBeNull();

    const claimed = await project.agent.call('next_task');
    const mine = await project.agent.call('list_tasks', { mine: true, status: ['executing'] });
    expect(mine.data.tasks.map((t: { id: number }) => t.id)).toEqual([claimed.data.task.id]);
    await project.agent.call('release_task', { id: claimed.data.task.id });
    for (const t of (await project.baton.listTasks({ tag: 'paging' })).tasks) await project.baton.cancelTask(t.id);
  });

  it('caps long fields in get_task and pages through them with field and offset', async () => {
    const description = Array.from({ length: 400 }, (_, i) => `line ${i}: "quoted" text\n`).join('');
    const task = await ready('A long spec', { description });
    const view = await project.agent.call('get_task', { id: task.id });
    expect(view.data.description.length).toBeLessThan(2000);
    expect(view.data.truncated.description).toBe(description.length);
    expect(view.data.more).toMatch(/"field"/);

    let text = '';
    let offset: number | null = 0;
    while (offset !== null) {
      const chunk = await project.agent.call('get_task', { id: task.id, field: 'description', offset });
      expect(chunk.size).toBeLessThanOrEqual(8000);
      text += chunk.data.text;
      offset = chunk.data.nextOffset;
    }
    expect(text).toBe(description);
    const history = await project.agent.call('get_task', { id: task.id, field: 'history' });
    expect(history.data.text).toMatch(/created/);
    await project.baton.cancelTask(task.id);
  });

  it('reviews: the doer cannot review its own work, a second agent can', async () => {
    const task = await ready('Security fix', { review: true });
    await project.agent.call('next_task');
    const submitted = await project.agent.call('complete_task', { id: task.id });
    expect(submitted.summary).toMatch(/awaits review/);
    const self = await project.agent.call('review_task', { id: task.id, pass: true });
    expect(self.isError).toBe(true);
    expect(self.data.error.code).toBe('invalid_reviewer');

    const reviewer = await connect(project.dir, { args: ['--worker', 'agent-b'] });
    try {
      const passed = await reviewer.call('review_task', { id: task.id, pass: true, feedback: 'looks right', score: 90 });
      expect(passed.isError).toBe(false);
      expect(passed.data.task.status).toBe('completed');
      expect(passed.data.review).toMatchObject({ reviewer: 'agent-b', verdict: 'pass', score: 90 });
    } finally {
      await reviewer.close();
    }
  });

  it('creates tasks holding resources and lists the resources with their capacity and holders', async () => {
    const created = await project.agent.call('create_task', {
      title: 'Migrate the billing table',
      resources: ['billing-db:2'],
      noBreakdown: true,
    });
    expect(created.isError).toBe(false);
    expect(created.data.task.resources).toEqual(['billing-db']);
    const listed = await project.agent.call('list_resources');
    expect(listed.isError).toBe(false);
    expect(listed.data.resources).toContainEqual({ name: 'billing-db', capacity: 2, holders: [], waiting: 1 });
    expect(listed.summary).toContain('billing-db 0/2 (1 waiting)');
    const bad = await project.agent.call('create_task', { title: 'Bad', resources: ['billing-db:0'] });
    expect(bad.isError).toBe(true);
    expect(bad.summary).toMatch(/resources\.0: capacity of billing-db must be a whole number/);
    await project.baton.cancelTask(created.data.task.id as number);
  });

  it('pauses and resumes claims, and lists the queues with the pause', async () => {
    const task = await ready('Ship the release', { queue: 'deploy' });
    const paused = await project.agent.call('pause_claims', {});
    expect(paused.isError).toBe(false);
    expect(paused.data.paused).toBe(true);
    expect((await project.agent.call('next_task', {})).data.task).toBeNull();
    const status = await project.agent.call('system_status');
    expect(status.summary).toMatch(/^ALL CLAIMS PAUSED/);
    const listed = await project.agent.call('list_queues');
    expect(listed.data.queues).toContainEqual(expect.objectContaining({ name: 'deploy', depth: 1, paused: true }));
    expect((await project.agent.call('resume_claims', {})).data.paused).toBe(false);
    expect((await project.agent.call('pause_claims', { queue: 'Bad Queue' })).isError).toBe(true);
    await project.baton.cancelTask(task.id);
  });

  it('reports the complexity of the open work and what to break down', async () => {
    const big = await ready('Rebuild the reporting pipeline', { estimate: '6d' });
    const report = await project.agent.call('complexity_report', { threshold: 8 });
    expect(report.isError).toBe(false);
    expect(report.data.toBreakDown).toContain(big.id);
    expect(report.summary).toMatch(new RegExp(`score 8 or more: break down .*${big.id}`));
    expect((await project.agent.call('complexity_report', { threshold: 0 })).isError).toBe(true);
    await project.baton.cancelTask(big.id);
  });

  it('imports a Markdown plan (a dry run first) and exports it back', async () => {
    const markdown = '# Search page @web\n- [ ] Search box ~2h\n- [ ] Results list\n  after Search box\n';
    const dry = await project.agent.call('import_plan', { markdown, dry_run: true });
    expect(dry.isError).toBe(false);
    expect(dry.summary).toMatch(
      /^Dry run, nothing created.*\n1\. Search page \(executing\)\n {2}2\. Search box \(queued\)\n {2}3\. Results list \(blocked\)/,
    );
    const made = await project.agent.call('import_plan', { markdown, hold: true });
    expect(made.data.created).toBe(3);
    const root = made.data.tasks[0].id as number;
    const exported = await project.agent.call('export_plan', { root });
    expect(exported.summary).toBe('# Search page @web\n\n- [ ] Search box ~2h\n- [ ] Results list\n  depends on #2\n');
    const bad = await project.agent.call('import_plan', { markdown: '- A\n  depends on #7\n' });
    expect(bad.isError).toBe(true);
    expect(bad.summary).toMatch(/invalid_plan.*line 2: #7 is not an item/);
    await project.baton.cancelTask(root);
  });

  it('reports the board and who the agent is', async () => {
    const status = await project.agent.call('system_status');
    expect(status.isError).toBe(false);
    expect(status.data.tasks.total).toBeGreaterThan(0);
    expect(status.data.you).toEqual({ workerId: 'agent-a', capabilities: ['docs'], held: [] });
    expect(status.summary).toMatch(/tasks, \d+ ready/);
  });

  it('refuses bad input of every tool with invalid_argument naming the field', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['next_task', { waitSeconds: -1 }, /^waitSeconds:/],
      ['next_task', { capabilites: ['x'] }, /unknown field capabilites/],
      ['get_task', { id: 'seven' }, /^id:/],
      ['get_task', { id: 1, field: 'secrets' }, /^field:/],
      ['list_tasks', { limit: 0 }, /^limit:/],
      ['list_tasks', { status: ['sleeping'] }, /^status\.0:/],
      ['create_task', { title: '   ' }, /^title:/],
      ['create_task', { title: 'x', priority: 'urgent' }, /^priority:/],
      ['breakdown_task', { id: 0 }, /^id:/],
      ['add_dependency', { id: 1, dependsOn: [] }, /^dependsOn:/],
      ['report_progress', { id: 1, progress: 150 }, /^progress:/],
      ['add_note', { id: 1, text: '   ' }, /^text:/],
      ['complete_task', { id: 1, artifacts: 'out.txt' }, /^artifacts:/],
      ['fail_task', { id: 1 }, /^error:/],
      ['release_task', { id: -3 }, /^id:/],
      ['review_task', { id: 1 }, /^pass:/],
      ['system_status', { verbose: true }, /unknown field verbose/],
    ];
    for (const [tool, args, message] of cases) {
      const reply = await project.agent.call(tool, args);
      expect(reply.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(reply.data.error.code, tool).toBe('invalid_argument');
      expect(reply.data.error.message, tool).toMatch(message);
      expect(reply.summary, tool).toMatch(/^invalid_argument: .* — fix/);
    }
    const unknown = await project.agent.call('delete_everything');
    expect(unknown.isError).toBe(true);
    expect(unknown.data.error.code).toBe('usage');
  });

  it('refuses writes to tasks the agent does not hold, saying what to do next', async () => {
    const missing = await project.agent.call('get_task', { id: 99_999 });
    expect(missing.data.error).toMatchObject({ code: 'task_not_found', next: expect.stringMatching(/list_tasks/) });

    const task = await ready('Held by someone else');
    await project.baton.claim({ workerId: 'someone-else' });
    for (const [tool, args] of [
      ['report_progress', { id: task.id, progress: 10 }],
      ['complete_task', { id: task.id }],
      ['fail_task', { id: task.id, error: 'x' }],
      ['release_task', { id: task.id }],
    ] as const) {
      const reply = await project.agent.call(tool, args);
      expect(reply.isError, tool).toBe(true);
      expect(reply.data.error.code, tool).toBe('not_lease_holder');
      expect(reply.data.error.next, tool).toMatch(/stop working on it.*next_task/);
    }
    const review = await project.agent.call('review_task', { id: task.id, pass: true });
    expect(review.data.error.code).toBe('illegal_transition');
    expect((await project.baton.getTask(task.id)).status).toBe('executing');
    await project.baton.cancelTask(task.id);

    const done = await project.agent.call('complete_task', { id: task.id });
    expect(done.data.error.code).toBe('illegal_transition');
    expect(done.data.error.next).toMatch(/you do not hold this task/);
  });

  it('adds a conditional dependency: the task runs only if the condition holds, else it is skipped', async () => {
    const test = await ready('Run the tests');
    const deploy = await ready('Deploy');
    const bad = await project.agent.call('add_dependency', {
      id: deploy.id,
      dependsOn: [{ id: test.id, if: 'result.passed ==' }],
    });
    expect(bad.isError).toBe(true);
    expect(bad.data.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/at character \d+/) });
    const added = await project.agent.call('add_dependency', {
      id: deploy.id,
      dependsOn: [{ id: test.id, if: 'result.passed == true' }],
    });
    expect(added.isError).toBe(false);
    expect(await project.baton.getTask(deploy.id)).toMatchObject({
      status: 'blocked',
      conditions: [{ on: test.id, if: 'result.passed == true' }],
    });
    const claimed = await project.baton.claim({ workerId: 'tester' });
    expect(claimed?.id).toBe(test.id);
    await project.baton.complete(test.id, { workerId: 'tester', result: { passed: false } });
    const read = await project.agent.call('get_task', { id: deploy.id });
    expect(read.data.status).toBe('skipped');
  });

  it('serves the status and task resources and the work_loop prompt', async () => {
    const { resources } = await project.agent.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['baton://status']);
    const { resourceTemplates } = await project.agent.client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['baton://task/{id}']);

    const status = await project.agent.client.readResource({ uri: 'baton://status' });
    expect(JSON.parse((status.contents[0] as { text: string }).text).tasks.total).toBeGreaterThan(0);
    const task = await ready('Readable as a resource');
    const read = await project.agent.client.readResource({ uri: `baton://task/${task.id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({
      id: task.id,
      title: 'Readable as a resource',
    });
    await expect(project.agent.client.readResource({ uri: 'baton://task/424242' })).rejects.toThrow(/task_not_found/);
    await expect(project.agent.client.readResource({ uri: 'baton://nothing' })).rejects.toThrow(/unknown resource/);
    await project.baton.cancelTask(task.id);

    const { prompts } = await project.agent.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['work_loop']);
    const prompt = await project.agent.client.getPrompt({ name: 'work_loop', arguments: { capabilities: 'go, sql' } });
    const text = (prompt.messages[0]?.content as { text?: string } | undefined)?.text ?? '';
    expect(text).toContain('next_task {"capabilities": ["go","sql"]}');
    expect(text).toMatch(/report_progress[\s\S]*complete_task/);
  });
});

describe('baton mcp: identity and leases', () => {
  const project = useProject();

  it('generates a worker id per session, stable across calls, and --worker beats BATON_WORKER_ID', async () => {
    const anonymous = await connect(project.dir, { name: 'Claude Code' });
    const named = await connect(project.dir, { args: ['--worker', 'from-flag'], env: { BATON_WORKER_ID: 'from-env' } });
    const fromEnv = await connect(project.dir, { env: { BATON_WORKER_ID: 'from-env' } });
    try {
      const first = (await anonymous.call('system_status')).data.you.workerId;
      expect(first).toMatch(/^claude-code-[0-9a-f]{6}$/);
      expect((await anonymous.call('system_status')).data.you.workerId).toBe(first);
      expect((await named.call('system_status')).data.you.workerId).toBe('from-flag');
      expect((await fromEnv.call('system_status')).data.you.workerId).toBe('from-env');
      const workers = (await project.baton.listWorkers()).map((w) => w.id).sort();
      expect(workers).toEqual([first, 'from-env', 'from-flag'].sort());
    } finally {
      await Promise.all([anonymous.close(), named.close(), fromEnv.close()]);
    }
  });

  it('renews the lease while the session lives, beyond the lease length', async () => {
    const task = await project.baton.createTask({ title: 'Long thinking', noBreakdown: true });
    const agent = await connect(project.dir, { args: ['--worker', 'thinker', '--lease', '2'] });
    try {
      const claim = await agent.call('next_task');
      expect(claim.data.task.id).toBe(task.id);
      await sleep(3000);
      // Another worker finds nothing: the lease did not lapse.
      expect(await project.baton.claim({ workerId: 'rival' })).toBeNull();
      const done = await agent.call('complete_task', { id: task.id });
      expect(done.isError).toBe(false);
      const renewals = (await project.baton.events({ taskId: task.id })).filter((e) => e.type === 'lease_renewed');
      expect(renewals.length).toBeGreaterThanOrEqual(3);
    } finally {
      await agent.close();
    }
  });

  it('refuses a malformed --worker before serving', async () => {
    const { cli } = await import('./helpers.js');
    const r = cli(project.dir, ['mcp', '--worker', 'bad id!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid_argument: worker:/);
  });
});

describe('next_task with an open circuit breaker', () => {
  const project = useProject({
    workerId: 'agent-flaky',
    prepare: async (baton) => {
      await baton.registerWorker({ id: 'agent-flaky', breaker: { failures: 1, cooldownSeconds: 600, rate: null } });
      const task = await baton.createTask({ title: 'Upload the report', noBreakdown: true });
      const claimed = await baton.claimTask(task.id, { workerId: 'agent-flaky' });
      await baton.fail(task.id, { workerId: 'agent-flaky', token: claimed.leaseToken, error: 'bad credentials' });
    },
  });

  it('says why nothing is claimed, and until when', async () => {
    const reply = await project.agent.call('next_task', {});
    expect(reply.isError).toBe(false);
    expect(reply.summary).toMatch(/your circuit breaker is open \(its attempt failed\); claims resume after /);
    expect(reply.data).toMatchObject({ task: null, breaker: { mode: 'open' } });
  });
});
