import type { Command } from 'commander';
import type { GithubLink, GithubSyncReport } from '../../app/baton.js';
import { type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton github import|sync|links`: GitHub issues ↔ tasks, with a token from GITHUB_TOKEN. */
export function registerGithubCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const github = program
    .command('github')
    .description('GitHub issues ↔ tasks (token from GITHUB_TOKEN; API from GITHUB_API_URL or config github.apiUrl)');

  github
    .command('import')
    .description('link the open issues of OWNER/REPO to new tasks (labels → tags, cap:NAME → capabilities)')
    .argument('<repo>', 'OWNER/REPO')
    .option('--label <label>', 'only issues with this label (several: comma-separated, all must match)')
    .option('--milestone <milestone>', 'only issues of this milestone (its title or number)')
    .action(async (repo: string, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const report = await baton.githubImport({
          repo,
          ...(opts.label !== undefined && { label: String(opts.label) }),
          ...(opts.milestone !== undefined && { milestone: String(opts.milestone) }),
        });
        out.result(report, () => formatReport(report));
      }),
    );

  github
    .command('sync')
    .description(
      'two-way sync: issue open/closed, labels and "depends on #N" ↔ tasks; a comment on the issue when its task completes',
    )
    .option('--repo <repo>', 'only this OWNER/REPO (default: every repository imported, and config github.repos)')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const report = await baton.githubSync(opts.repo === undefined ? {} : { repo: String(opts.repo) });
        out.result(report, () => formatReport(report));
      }),
    );

  github
    .command('links')
    .description('the issues linked to tasks')
    .option('--repo <repo>', 'only this OWNER/REPO')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const links = await baton.githubLinks(opts.repo === undefined ? {} : { repo: String(opts.repo) });
        out.result(links, () => (links.length === 0 ? 'no linked issues' : links.map(formatLink).join('\n')));
      }),
    );
}

function formatReport(r: GithubSyncReport): string {
  const repos = r.repos.length === 0 ? 'no repositories to sync (import one first)' : r.repos.join(', ');
  return `${repos}: ${r.imported} imported, ${r.tasksUpdated} tasks updated, ${r.issuesUpdated} issues updated, ${r.notModified} unchanged (304)`;
}

function formatLink(l: GithubLink): string {
  return `${l.repo}#${l.number}  task ${l.taskId}  ${l.state}${l.commented ? '  (completion commented)' : ''}`;
}
