import { BatonError, invalid } from '../core/errors.js';
import { dependencyRefs, labelsOfTask, REPO_PATTERN, sameLabels, tagsOfLabels, taskTextOf } from '../core/github.js';
import { FINAL_STATUSES, type Task } from '../core/types.js';
import type { GithubLinkRecord, GithubRepoRecord } from '../store/integrations.js';
import type { AppContext } from './context.js';
import type { GithubClient as Client, GithubIssue } from './github-client.js';
import type { GithubImportInput, GithubLink, GithubSyncReport } from './integration-types.js';
import { createTask } from './task-create.js';
import { addDependencies, cancelTask, retryTask, updateTask } from './task-service.js';

/**
 * GitHub issues ↔ tasks. Import links open issues to new tasks (the link written in the task's
 * own transaction, so an issue is never imported twice). Sync reads each repository's issues
 * changed since its cursor — conditionally, on the last answer's ETag — and applies them to their
 * tasks; then each link's task is compared with the issue as last synced and GitHub is brought in
 * line: closed (with a comment) when its task completed, closed when cancelled, reopened when
 * retried, labels from tags and capabilities. A side that did not change since the last sync
 * never overwrites the other.
 */

const emptyReport = (repos: string[]): GithubSyncReport => ({
  repos,
  imported: 0,
  tasksUpdated: 0,
  issuesUpdated: 0,
  notModified: 0,
});

function repoOf(raw: unknown): string {
  if (typeof raw !== 'string' || !REPO_PATTERN.test(raw)) throw invalid('repo', 'must be OWNER/REPO');
  return raw.toLowerCase();
}

/** The client, loaded when first needed: octokit is large, and most commands never talk to GitHub. */
async function newClient(ctx: AppContext): Promise<Client> {
  const { GithubClient } = await import('./github-client.js');
  return new GithubClient(ctx.maintenance.github);
}

export async function githubImport(ctx: AppContext, input: GithubImportInput): Promise<GithubSyncReport> {
  const repo = repoOf(input.repo);
  const client = await newClient(ctx);
  const milestone = input.milestone ? await client.milestoneNumber(repo, input.milestone) : undefined;
  const listing = await client.listIssues(repo, { state: 'open', labels: input.label, milestone });
  const issues = listing.notModified ? [] : listing.issues.filter((i) => !i.isPullRequest);
  const report = emptyReport([repo]);
  const links = await linksByNumber(ctx, repo);
  for (const issue of issues) {
    if (links.has(issue.number)) continue;
    links.set(issue.number, await importIssue(ctx, repo, issue));
    report.imported++;
  }
  report.tasksUpdated += await linkDependencies(ctx, issues, links);
  const known = (await ctx.store.githubRepos()).some((r) => r.repo === repo);
  if (!known) await ctx.store.transaction((tx) => tx.saveGithubRepo({ repo, etag: null, since: null, syncedAt: null }));
  return report;
}

export async function githubSync(ctx: AppContext, options: { repo?: string | undefined } = {}): Promise<GithubSyncReport> {
  const states = new Map((await ctx.store.githubRepos()).map((r) => [r.repo, r]));
  const configured = ctx.maintenance.github.repos.map(repoOf);
  const repos = options.repo !== undefined ? [repoOf(options.repo)] : [...new Set([...states.keys(), ...configured])].sort();
  const report = emptyReport(repos);
  if (repos.length === 0) return report;
  const client = await newClient(ctx);
  for (const repo of repos)
    await syncRepo(ctx, client, { repo, state: states.get(repo), importNew: configured.includes(repo) }, report);
  return report;
}

export async function githubLinks(ctx: AppContext, options: { repo?: string | undefined } = {}): Promise<GithubLink[]> {
  const links = await ctx.store.githubLinks(options.repo === undefined ? undefined : repoOf(options.repo));
  return links.map(({ repo, number, taskId, state, commented }) => ({ repo, number, taskId, state, commented }));
}

async function linksByNumber(ctx: AppContext, repo: string): Promise<Map<number, GithubLinkRecord>> {
  return new Map((await ctx.store.githubLinks(repo)).map((l) => [l.number, l]));
}

async function importIssue(ctx: AppContext, repo: string, issue: GithubIssue): Promise<GithubLinkRecord> {
  let link: GithubLinkRecord | null = null;
  await createTask(ctx, { ...taskTextOf(repo, issue), ...tagsOfLabels(issue.labels) }, async (tx, task) => {
    link = { repo, number: issue.number, taskId: task.id, state: 'open', labels: issue.labels, commented: false };
    await tx.saveGithubLink(link);
  });
  return link as unknown as GithubLinkRecord;
}

interface RepoSync {
  repo: string;
  state: GithubRepoRecord | undefined;
  /** A repository of `github.repos`: its new open issues are imported too. */
  importNew: boolean;
}

async function syncRepo(ctx: AppContext, client: Client, sync: RepoSync, report: GithubSyncReport): Promise<void> {
  const { repo, state } = sync;
  const listing = await client.listIssues(repo, { state: 'all', since: state?.since ?? undefined, etag: state?.etag });
  if (listing.notModified) report.notModified++;
  const issues = listing.notModified ? [] : listing.issues.filter((i) => !i.isPullRequest);
  const links = await linksByNumber(ctx, repo);
  for (const issue of issues) {
    const link = links.get(issue.number);
    if (link) {
      const next = await applyIssue(ctx, link, issue, report);
      links.set(issue.number, next);
    } else if (sync.importNew && issue.state === 'open') {
      links.set(issue.number, await importIssue(ctx, repo, issue));
      report.imported++;
    }
  }
  report.tasksUpdated += await linkDependencies(ctx, issues, links);
  for (const link of links.values()) await applyTask(ctx, client, link, report);
  const since = issues.reduce<string | null>(
    (max, i) => (max === null || i.updatedAt > max ? i.updatedAt : max),
    state?.since ?? null,
  );
  // An ETag answers one URL: kept only while the cursor (the listing's `since`) stays where it was.
  const etag = listing.notModified ? (state?.etag ?? null) : since === (state?.since ?? null) ? listing.etag : null;
  await ctx.store.transaction((tx) => tx.saveGithubRepo({ repo, etag, since, syncedAt: ctx.clock.now() }));
}

/** The issue changed on GitHub since the last sync: its task follows (state, labels). */
async function applyIssue(
  ctx: AppContext,
  link: GithubLinkRecord,
  issue: GithubIssue,
  report: GithubSyncReport,
): Promise<GithubLinkRecord> {
  const task = await ctx.store.getTask(link.taskId);
  const next: GithubLinkRecord = { ...link, state: issue.state, labels: issue.labels };
  if (task) {
    const finished = FINAL_STATUSES.includes(task.status);
    let changed = false;
    if (issue.state !== link.state && issue.state === 'closed' && !finished) {
      await cancelTask(ctx, task.id, { reason: `issue ${link.repo}#${link.number} closed on GitHub` });
      changed = true;
    } else if (
      issue.state !== link.state &&
      issue.state === 'open' &&
      (task.status === 'cancelled' || task.status === 'failed')
    ) {
      await retryTask(ctx, task.id);
      changed = true;
    }
    if (!sameLabels(issue.labels, link.labels) && !finished) {
      await updateTask(ctx, task.id, tagsOfLabels(issue.labels));
      changed = true;
    }
    if (changed) report.tasksUpdated++;
  }
  await ctx.store.transaction((tx) => tx.saveGithubLink(next));
  return next;
}

/** The task changed in Baton since the last sync: its issue follows (closed, reopened, labels, a comment). */
async function applyTask(ctx: AppContext, client: Client, link: GithubLinkRecord, report: GithubSyncReport): Promise<void> {
  const task = await ctx.store.getTask(link.taskId);
  if (!task) return;
  const next: GithubLinkRecord = { ...link };
  const wanted = wantedState(task);
  if (task.status === 'completed' && !link.commented) {
    await client.comment(link.repo, link.number, completionComment(task));
    next.commented = true;
  }
  if (wanted !== link.state) {
    await client.updateIssue(link.repo, link.number, { state: wanted });
    next.state = wanted;
  }
  const labels = labelsOfTask(task);
  if (!FINAL_STATUSES.includes(task.status) && !sameLabels(labels, link.labels)) {
    await client.updateIssue(link.repo, link.number, { labels });
    next.labels = labels;
  }
  if (next.state === link.state && next.commented === link.commented && next.labels === link.labels) return;
  report.issuesUpdated++;
  await ctx.store.transaction((tx) => tx.saveGithubLink(next));
}

/** What the issue's state should be for its task: closed once the task completed or was cancelled. */
function wantedState(task: Task): 'open' | 'closed' {
  return task.status === 'completed' || task.status === 'cancelled' || task.status === 'skipped' ? 'closed' : 'open';
}

function completionComment(task: Task): string {
  const summary =
    typeof task.result === 'object' && task.result !== null && 'summary' in task.result ? String(task.result.summary) : null;
  return [`Completed in Baton (task #${task.id}).`, summary ? `\n\n${summary.slice(0, 2000)}` : ''].join('');
}

/** `depends on #N` in an issue's body: its task depends on N's task (added once; a cycle is left out). */
async function linkDependencies(
  ctx: AppContext,
  issues: readonly GithubIssue[],
  links: Map<number, GithubLinkRecord>,
): Promise<number> {
  let added = 0;
  for (const issue of issues) {
    const link = links.get(issue.number);
    if (!link) continue;
    const task = await ctx.store.getTask(link.taskId);
    if (!task || FINAL_STATUSES.includes(task.status)) continue;
    const wanted = dependencyRefs(issue.body)
      .map((n) => links.get(n)?.taskId)
      .filter((id): id is number => id !== undefined && id !== task.id && !task.dependsOn.includes(id));
    if (wanted.length === 0) continue;
    try {
      await addDependencies(ctx, task.id, wanted);
      added++;
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
    }
  }
  return added;
}
