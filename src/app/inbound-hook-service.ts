import { BatonError, invalid } from '../core/errors.js';
import { evaluateExpression } from '../core/expression.js';
import type { StoreTx } from '../store/store.js';
import type { CreateTaskInput } from './baton.js';
import type { AppContext } from './context.js';
import { deliveryIdOf, verifySignature } from './inbound-signature.js';
import type { HookDelivery, HookReceipt, InboundHookSettings } from './integration-types.js';
import { startRun } from './run-service.js';
import { createTask } from './task-create.js';

/**
 * Inbound hooks (`hooks:` of the config): a signed JSON body becomes a task or a workflow run by
 * the hook's mapping, CEL expressions over `payload` (the body), `headers`, `hook` and `delivery`.
 * The delivery id is recorded in the transaction that makes the task or run, so a replay — to
 * this server or another replica — finds it and changes nothing.
 */
export async function receiveHook(ctx: AppContext, name: string, delivery: HookDelivery): Promise<HookReceipt> {
  const hook = Object.hasOwn(ctx.maintenance.hooks, name) ? ctx.maintenance.hooks[name] : undefined;
  if (!hook)
    throw new BatonError('hook_not_found', `no inbound hook named ${String(name).slice(0, 63)} in config.yaml hooks:`, { name });
  verifySignature(hook, delivery, ctx.clock.now());
  const deliveryId = deliveryIdOf(hook, delivery);
  const vars = { payload: payloadOf(delivery.body), headers: delivery.headers, hook: name, delivery: deliveryId };
  const acting: AppContext = { ...ctx, actor: `hook:${name}` };
  const record = async (tx: StoreTx): Promise<void> => {
    if (!(await tx.recordInboundDelivery(name, deliveryId, tx.now))) {
      throw new BatonError('delivery_replayed', `delivery ${deliveryId.slice(0, 80)} to hook ${name} was already received`, {
        hook: name,
        deliveryId,
      });
    }
  };
  const receipt = { hook: name, deliveryId, taskId: null, runId: null };
  if (hook.when !== null && evaluate(hook.when, vars, `hooks.${name}.when`) !== true) {
    await ctx.store.transaction(record);
    return { ...receipt, outcome: 'ignored' };
  }
  if (hook.run) {
    const params = mapValues(hook.run.params, vars, `hooks.${name}.run.params`);
    const run = await startRun(acting, { name: hook.run.workflow, params }, record);
    return { ...receipt, outcome: 'run', runId: run.id };
  }
  const task = await createTask(acting, taskInput(hook, vars, name), record);
  return { ...receipt, outcome: 'task', taskId: task.id };
}

function payloadOf(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw invalid('body', 'the body is not JSON');
  }
}

function taskInput(hook: InboundHookSettings, vars: Record<string, unknown>, name: string): CreateTaskInput {
  return mapValues(hook.task ?? {}, vars, `hooks.${name}.task`) as unknown as CreateTaskInput;
}

function mapValues(map: Readonly<Record<string, string>>, vars: Record<string, unknown>, where: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([field, text]) => [field, evaluate(text, vars, `${where}.${field}`)]));
}

/** An expression's value; one that cannot be evaluated over this payload refuses the delivery. */
function evaluate(text: string, vars: Record<string, unknown>, field: string): unknown {
  const result = evaluateExpression(text, vars);
  if (!result.ok) throw invalid(field, `${text.slice(0, 80)}: ${result.message} (over this payload)`);
  return result.value;
}
