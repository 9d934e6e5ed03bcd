import type { GithubImportInput, GithubLink, GithubSyncReport, HookDelivery, HookReceipt } from '../app/integration-types.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's inbound hooks and GitHub issues. */

/** Headers a hook's sender signs with, passed on as given; the body is sent byte for byte. */
export async function receiveHook(http: HttpClient, name: string, delivery: HookDelivery): Promise<HookReceipt> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(delivery.headers)) if (v !== undefined && k !== 'content-type') headers[k] = v;
  return http.call('POST', `/hooks/${encodeURIComponent(name)}`, { rawBody: delivery.body, headers });
}

export async function githubImport(http: HttpClient, input: GithubImportInput): Promise<GithubSyncReport> {
  return http.call('POST', '/github/import', { body: input });
}

export async function githubSync(http: HttpClient, options: { repo?: string | undefined } = {}): Promise<GithubSyncReport> {
  return http.call('POST', '/github/sync', { body: options.repo === undefined ? {} : { repo: options.repo } });
}

export async function githubLinks(http: HttpClient, options: { repo?: string | undefined } = {}): Promise<GithubLink[]> {
  return (await http.call<{ links: GithubLink[] }>('GET', '/github/links', { query: { repo: options.repo } })).links;
}
