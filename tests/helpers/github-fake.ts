import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for GitHub's REST API, answering with its documented shapes: issues (with
 * pull requests among them), milestones, edits and comments; `Link` pagination; `ETag` and
 * `304 Not Modified` on `If-None-Match`; and the rate-limit refusals (403 with
 * `x-ratelimit-remaining: 0`, and the secondary limit's 403 with `retry-after`).
 */

export interface FakeIssue {
  number: number;
  title: string;
  body?: string | null;
  state?: 'open' | 'closed';
  labels?: string[];
  milestone?: number | null;
  pullRequest?: boolean;
}

interface StoredIssue extends Required<Omit<FakeIssue, 'pullRequest'>> {
  pullRequest: boolean;
  updatedAt: string;
  createdAt: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
}

export interface GithubFake {
  url: string;
  token: string;
  requests: FakeRequest[];
  issue(repo: string, number: number): StoredIssue & { comments: string[] };
  /** An edit made on GitHub by a person (bumps `updated_at`). */
  edit(repo: string, number: number, patch: Partial<Pick<StoredIssue, 'state' | 'labels' | 'body'>>): void;
  /** The next `count` requests are refused by a rate limit. */
  limit(kind: 'primary' | 'secondary', count?: number): void;
  close(): Promise<void>;
}

const MILESTONES = [{ number: 1, title: 'v1' }];

export async function githubFake(repos: Record<string, FakeIssue[]>, options: { pageSize?: number } = {}): Promise<GithubFake> {
  const token = 'ghp_test_token_for_the_fake';
  const pageSize = options.pageSize ?? 100;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  // Whole seconds, as GitHub's timestamps; each change a second later than the last.
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const issues = new Map<string, StoredIssue>();
  const comments = new Map<string, string[]>();
  for (const [repo, list] of Object.entries(repos)) {
    for (const i of list) {
      const at = tick();
      issues.set(`${repo}#${i.number}`, {
        number: i.number,
        title: i.title,
        body: i.body ?? null,
        state: i.state ?? 'open',
        labels: i.labels ?? [],
        milestone: i.milestone ?? null,
        pullRequest: i.pullRequest ?? false,
        createdAt: at,
        updatedAt: at,
      });
    }
  }
  const requests: FakeRequest[] = [];
  const limits: ('primary' | 'secondary')[] = [];
  let url = '';

  const shape = (repo: string, i: StoredIssue) => ({
    url: `${url}/repos/${repo}/issues/${i.number}`,
    html_url: `https://github.com/${repo}/issues/${i.number}`,
    id: 1000 + i.number,
    node_id: `I_${i.number}`,
    number: i.number,
    title: i.title,
    body: i.body,
    user: { login: 'octocat', id: 1 },
    labels: i.labels.map((name, n) => ({ id: n + 1, name, color: 'ededed', default: false })),
    state: i.state,
    state_reason: i.state === 'closed' ? 'completed' : null,
    locked: false,
    milestone:
      i.milestone === null ? null : { number: i.milestone, title: MILESTONES.find((m) => m.number === i.milestone)?.title },
    comments: comments.get(`${repo}#${i.number}`)?.length ?? 0,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.state === 'closed' ? i.updatedAt : null,
    ...(i.pullRequest && { pull_request: { url: `${url}/repos/${repo}/pulls/${i.number}` } }),
  });

  function listIssues(repo: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): number {
    const state = q.get('state') ?? 'open';
    const labels = q.get('labels')?.split(',').filter(Boolean) ?? [];
    const milestone = q.get('milestone');
    const since = q.get('since');
    const found = [...issues.entries()]
      .filter(([key]) => key.startsWith(`${repo}#`))
      .map(([, i]) => i)
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.includes(l)))
      .filter((i) => milestone === null || String(i.milestone) === milestone)
      .filter((i) => since === null || i.updatedAt >= since)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.number - b.number);
    const page = Number(q.get('page') ?? 1);
    const per = Math.min(Number(q.get('per_page') ?? 30), pageSize);
    const body = JSON.stringify(found.slice((page - 1) * per, page * per).map((i) => shape(repo, i)));
    const etag = `"${createHash('sha1').update(`${req.url}|${body}`).digest('hex')}"`;
    const last = Math.max(1, Math.ceil(found.length / per));
    const link = (p: number, rel: string) => {
      const next = new URLSearchParams(q);
      next.set('page', String(p));
      return `<${url}/repos/${repo}/issues?${next}>; rel="${rel}"`;
    };
    const links = [page < last && link(page + 1, 'next'), page < last && link(last, 'last')].filter(Boolean);
    if (links.length > 0) res.setHeader('link', links.join(', '));
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return 304;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    return 200;
  }

  function refuseLimited(kind: 'primary' | 'secondary', res: ServerResponse): number {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    if (kind === 'primary') {
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      });
      res.end(
        JSON.stringify({
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        }),
      );
    } else {
      res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(
        JSON.stringify({
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        }),
      );
    }
    return 403;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Bad credentials' }));
      return 401;
    }
    const limited = limits.shift();
    if (limited) return refuseLimited(limited, res);
    const m = /^\/repos\/([^/]+\/[^/]+)\/(issues|milestones)(?:\/(\d+))?(\/comments)?$/.exec(parsed.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return 404;
    }
    const [, repo = '', kind, number, isComments] = m;
    if (kind === 'milestones') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(MILESTONES.map((x) => ({ ...x, state: 'open' }))));
      return 200;
    }
    if (number === undefined) return listIssues(repo, parsed.searchParams, req, res);
    const key = `${repo}#${number}`;
    const issue = issues.get(key);
    if (!issue) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return 404;
    }
    const body = JSON.parse((await text(req)) || '{}');
    if (isComments && req.method === 'POST') {
      comments.set(key, [...(comments.get(key) ?? []), String(body.body)]);
      issue.updatedAt = tick();
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 1, body: body.body, user: { login: 'baton' } }));
      return 201;
    }
    if (req.method === 'PATCH') {
      if (body.state) issue.state = body.state;
      if (body.labels) issue.labels = body.labels;
      issue.updatedAt = tick();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(shape(repo, issue)));
    return 200;
  }

  const server = createServer((req, res) => {
    route(req, res).then(
      (status) => requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', status }),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    requests,
    issue: (repo, number) => {
      const i = issues.get(`${repo}#${number}`);
      if (!i) throw new Error(`no issue ${repo}#${number}`);
      return { ...i, comments: comments.get(`${repo}#${number}`) ?? [] };
    },
    edit: (repo, number, patch) => {
      const i = issues.get(`${repo}#${number}`);
      if (!i) throw new Error(`no issue ${repo}#${number}`);
      Object.assign(i, patch, { updatedAt: tick() });
    },
    limit: (kind, count = 1) => {
      for (let n = 0; n < count; n++) limits.push(kind);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function text(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (d) => {
      data += d;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
