import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { BatonError } from '../core/errors.js';
import type { GithubSettings } from './integration-types.js';

/** The fields of an issue Baton reads (GitHub's REST shape, trimmed). */
export interface GithubIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  updatedAt: string;
  /** Pull requests are listed with issues; they are never imported. */
  isPullRequest: boolean;
}

export type IssueListing = { notModified: true } | { notModified: false; issues: GithubIssue[]; etag: string | null };

export interface ListIssuesQuery {
  state: 'open' | 'all';
  labels?: string | undefined;
  milestone?: string | undefined;
  since?: string | undefined;
  /** The ETag of the previous answer to the same query: GitHub answers 304 (free of rate) when nothing changed. */
  etag?: string | null | undefined;
}

/** A wait for the rate limit this long or shorter is waited out; a longer one is refused. */
const MAX_WAIT_S = 10;
/** Pages of 100 issues read at most per listing. */
const MAX_PAGES = 50;

const ThrottledOctokit = Octokit.plugin(throttling);

/**
 * A small GitHub REST client over octokit: the issue listing (conditional on an ETag, every page by
 * its `Link` header), issue edits and comments. Rate limits (403 with `x-ratelimit-remaining: 0`,
 * 429 or 403 "secondary rate limit" with `retry-after`) are waited out when short, else refused
 * with `github_rate_limited` naming when to try again.
 */
export class GithubClient {
  private readonly octokit: InstanceType<typeof ThrottledOctokit>;

  constructor(settings: GithubSettings) {
    if (!settings.token) {
      throw new BatonError('invalid_config', 'GitHub needs a token: set GITHUB_TOKEN (or the variable github.tokenEnv names)', {
        field: 'github.tokenEnv',
      });
    }
    const waitIfShort = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
      retryCount < 2 && retryAfter <= MAX_WAIT_S;
    this.octokit = new ThrottledOctokit({
      auth: settings.token,
      baseUrl: settings.apiUrl,
      userAgent: 'baton-github-sync',
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      throttle: { onRateLimit: waitIfShort, onSecondaryRateLimit: waitIfShort },
    });
  }

  async listIssues(repo: string, query: ListIssuesQuery): Promise<IssueListing> {
    const [owner, name] = repo.split('/') as [string, string];
    const params = {
      owner,
      repo: name,
      state: query.state,
      per_page: 100,
      sort: 'updated' as const,
      direction: 'asc' as const,
      ...(query.labels && { labels: query.labels }),
      ...(query.milestone && { milestone: query.milestone }),
      ...(query.since && { since: query.since }),
    };
    const headers = query.etag ? { 'if-none-match': query.etag } : {};
    const first = await this.call(() => this.octokit.request('GET /repos/{owner}/{repo}/issues', { ...params, headers }));
    if (first === 'not-modified') return { notModified: true };
    const issues = first.data.map(issueOf);
    let next = nextLink(first.headers.link);
    for (let page = 1; next && page < MAX_PAGES; page++) {
      const url = next;
      const more = await this.call(() => this.octokit.request({ method: 'GET', url }));
      if (more === 'not-modified') break;
      issues.push(...(more.data as unknown[]).map(issueOf));
      next = nextLink(more.headers.link);
    }
    return { notModified: false, issues, etag: first.headers.etag ?? null };
  }

  /** A milestone's number from its title (GitHub filters issues by number); a number is kept. */
  async milestoneNumber(repo: string, milestone: string): Promise<string> {
    if (/^(\d+|\*|none)$/.test(milestone)) return milestone;
    const [owner, name] = repo.split('/') as [string, string];
    const res = await this.call(() =>
      this.octokit.request('GET /repos/{owner}/{repo}/milestones', { owner, repo: name, state: 'all', per_page: 100 }),
    );
    const found = res === 'not-modified' ? undefined : res.data.find((m) => m.title === milestone);
    if (!found)
      throw new BatonError('invalid_argument', `milestone: ${repo} has no milestone "${milestone}"`, { field: 'milestone' });
    return String(found.number);
  }

  async updateIssue(repo: string, number: number, patch: { state?: 'open' | 'closed'; labels?: string[] }): Promise<void> {
    const [owner, name] = repo.split('/') as [string, string];
    await this.call(() =>
      this.octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo: name,
        issue_number: number,
        ...patch,
      }),
    );
  }

  async comment(repo: string, number: number, body: string): Promise<void> {
    const [owner, name] = repo.split('/') as [string, string];
    await this.call(() =>
      this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo: name,
        issue_number: number,
        body,
      }),
    );
  }

  /** One request; GitHub's refusals become coded errors, and a 304 says so. */
  private async call<T>(request: () => Promise<T>): Promise<T | 'not-modified'> {
    try {
      return await request();
    } catch (err) {
      const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
      if (e.status === 304) return 'not-modified';
      throw githubError(e);
    }
  }
}

function githubError(e: {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}): BatonError {
  const headers = e.response?.headers ?? {};
  const limited = headers['x-ratelimit-remaining'] === '0' || e.status === 429 || /rate limit/i.test(e.message ?? '');
  if (limited) {
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfter = Number(headers['retry-after']);
    const until = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : null;
    const wait = until ? `until ${until}` : Number.isFinite(retryAfter) ? `for ${retryAfter} s` : 'for a while';
    return new BatonError('github_rate_limited', `GitHub's rate limit is spent: try again ${wait}`, {
      resetAt: until,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
    });
  }
  const status = e.status ?? null;
  return new BatonError('github_failed', `GitHub: ${status ?? 'unreachable'} ${(e.message ?? '').slice(0, 200)}`, { status });
}

function nextLink(link: string | undefined): string | null {
  const match = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return match ? (match[1] as string) : null;
}

function issueOf(raw: unknown): GithubIssue {
  const r = raw as Record<string, unknown>;
  const labels = Array.isArray(r.labels) ? r.labels : [];
  return {
    number: Number(r.number),
    title: String(r.title ?? ''),
    body: typeof r.body === 'string' ? r.body : null,
    state: r.state === 'closed' ? 'closed' : 'open',
    labels: labels.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown }).name ?? ''))).filter(Boolean),
    updatedAt: String(r.updated_at ?? ''),
    isPullRequest: r.pull_request !== undefined && r.pull_request !== null,
  };
}
