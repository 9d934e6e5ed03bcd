import type { PauseInput, QueuesReport } from '../app/baton.js';
import { pauseSchema } from '../core/queues.js';
import { parseWith } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/**
 * RemoteBaton's pauses and queues. Pausing and resuming set a state (pausing twice is pausing
 * once), so they are safe to repeat after a lost answer.
 */

export async function pauseClaims(http: HttpClient, raw: PauseInput = {}): Promise<QueuesReport> {
  return http.call('POST', '/system/pause', { body: parseWith(pauseSchema, raw), retry: 'always' });
}

export async function resumeClaims(http: HttpClient, raw: PauseInput = {}): Promise<QueuesReport> {
  return http.call('POST', '/system/resume', { body: parseWith(pauseSchema, raw), retry: 'always' });
}

export async function queues(http: HttpClient): Promise<QueuesReport> {
  return http.call('GET', '/queues', { retry: 'always' });
}
