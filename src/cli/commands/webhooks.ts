import type { Command } from 'commander';
import pc from 'picocolors';
import type { Alert, Webhook, WebhookDelivery } from '../../app/baton.js';
import { parseList, parsePositiveInt } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton webhook add|list|remove|deliveries` and `baton alerts`. */
export function registerWebhookCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const hooks = program
    .command('webhook')
    .description('outbound webhooks: events posted to a URL as signed JSON by `baton serve`');

  hooks
    .command('add')
    .description('post the events named to URL (from now on); the signing secret is shown once')
    .argument('<url>', 'an http:// or https:// URL')
    .requiredOption(
      '--events <list>',
      'event names: task.failed, task.completed, alert.sla_breached, alert.*, webhook.disabled, *',
    )
    .option('--secret <secret>', 'the HMAC-SHA256 signing secret (at least 16 characters; default: made for you)')
    .action(async (url: string, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const { webhook, secret } = await baton.addWebhook({
          url,
          events: parseList(String(opts.events), 'events'),
          ...(opts.secret !== undefined && { secret: String(opts.secret) }),
        });
        out.result({ ...webhook, secret }, () =>
          [
            `added webhook ${webhook.id}: ${webhook.url} (${webhook.events.join(', ')})`,
            `  secret ${secret}`,
            'Keep the secret: it verifies the Baton-Signature header and is not shown again.',
          ].join('\n'),
        );
      }),
    );

  hooks
    .command('list')
    .description('every webhook, disabled ones included')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const list = await baton.listWebhooks();
        out.result(list, () => (list.length === 0 ? 'no webhooks' : list.map(formatHook).join('\n')));
      }),
    );

  // One hook by id: removed, or turned back on.
  const byId = [
    { name: 'remove', what: 'remove a webhook and its delivery log', call: 'removeWebhook', done: 'removed' },
    {
      name: 'enable',
      what: 'turn a disabled webhook back on: its pending deliveries go out, oldest first',
      call: 'enableWebhook',
      done: 'enabled',
    },
  ] as const;
  for (const c of byId) {
    hooks
      .command(c.name)
      .description(c.what)
      .argument('<id>', 'webhook id')
      .action(async (id: string, opts: Opts) =>
        withBaton(g(opts), async (baton, out) => {
          const hook = await baton[c.call](parsePositiveInt(id, 'id'));
          out.result(hook, () => `${c.done} webhook ${hook.id} (${hook.url})`);
        }),
      );
  }

  hooks
    .command('deliveries')
    .description('the delivery log, newest first: status, attempts, the receiver’s last answer')
    .argument('[id]', 'of this webhook only')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (id: string | undefined, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const list = await baton.webhookDeliveries({
          ...(id !== undefined && { hookId: parsePositiveInt(id, 'id') }),
          ...(opts.limit !== undefined && { limit: parsePositiveInt(String(opts.limit), 'limit') }),
        });
        out.result(list, () => (list.length === 0 ? 'no deliveries' : list.map(formatDelivery).join('\n')));
      }),
    );

  program
    .command('alerts')
    .description(
      'alerts raised: SLA breaches, tasks failed for good, workers offline holding work, too many ready tasks, failed backups',
    )
    .option('--open', 'only those whose condition still holds')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const list = await baton.alerts({
          open: Boolean(opts.open),
          ...(opts.limit !== undefined && { limit: parsePositiveInt(String(opts.limit), 'limit') }),
        });
        out.result(list, () => (list.length === 0 ? 'no alerts' : list.map(formatAlert).join('\n')));
      }),
    );
}

function formatHook(h: Webhook): string {
  const state = h.disabledAt ? pc.red(`disabled ${h.disabledAt}: ${h.disabledReason}`) : pc.green('active');
  const failing = h.failures > 0 && !h.disabledAt ? pc.yellow(`  ${h.failures} failures in a row`) : '';
  return `${h.id}  ${h.url}  ${h.events.join(',')}  ${state}${failing}`;
}

function formatDelivery(d: WebhookDelivery): string {
  const color = d.status === 'delivered' ? pc.green : d.status === 'failed' ? pc.red : pc.yellow;
  const last = d.lastError ?? (d.lastStatus !== null ? `HTTP ${d.lastStatus}` : '');
  const next = d.nextAt ? `  next ${d.nextAt}` : '';
  return `${d.id}  hook ${d.hookId}  ${d.event} #${d.eventId}  ${color(d.status)}  ${d.attempts} attempts  ${last}${next}`;
}

function formatAlert(a: Alert): string {
  const state = a.resolvedAt === null ? pc.red('open') : pc.dim(`ended ${a.resolvedAt}`);
  return `${a.id}  ${a.raisedAt}  ${a.kind}  ${a.message}  ${state}`;
}
