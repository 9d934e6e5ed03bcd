import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { AlertsBadge } from './components/AlertsBadge';
import { HelpOverlay } from './components/HelpOverlay';
import { TokenPrompt } from './components/TokenPrompt';
import { useShortcuts } from './lib/keyboard';
import { lazyView } from './lib/lazy';
import { href, useRoute } from './lib/route';
import { applyToken, canSteer, isReadOnly, startSession, useSession } from './lib/session';
import { BoardView } from './views/Board';
import './styles.css';
import './theme.css';

// The board comes with the page; every other view is its own chunk, fetched when first shown.
const AnalyticsView = lazyView(() => import('./views/Analytics').then((m) => m.AnalyticsView));
const NewTaskView = lazyView(() => import('./views/NewTask').then((m) => m.NewTaskView));
const ImportPlanView = lazyView(() => import('./views/ImportPlan').then((m) => m.ImportPlanView));
const QueueView = lazyView(() => import('./views/Queue').then((m) => m.QueueView));
const TaskView = lazyView(() => import('./views/TaskPage').then((m) => m.TaskView));
const WorkerView = lazyView(() => import('./views/WorkerPage').then((m) => m.WorkerView));
const WorkersView = lazyView(() => import('./views/Workers').then((m) => m.WorkersView));
const WorkflowsView = lazyView(() => import('./views/Workflows').then((m) => m.WorkflowsView));

const NAV = [
  { path: '/', label: 'Board' },
  { path: '/queue', label: 'Queue' },
  { path: '/workers', label: 'Workers' },
  { path: '/workflows', label: 'Workflows' },
  { path: '/analytics', label: 'Analytics' },
] as const;

const STREAM_LABEL = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  unauthorized: 'no access',
} as const;

function App() {
  const route = useRoute();
  const session = useSession();
  const readOnly = isReadOnly(session);
  const steer = canSteer(session);
  const [help, setHelp] = useState(false);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  useShortcuts({ canCreate: steer, toggleHelp, closeHelp });
  useEffect(() => {
    void startSession();
  }, []);
  useEffect(() => {
    const label =
      NAV.find((n) => n.path === route.path)?.label ??
      (route.path.startsWith('/tasks/')
        ? 'Task'
        : route.path.startsWith('/workers/')
          ? 'Worker'
          : route.path === '/plan'
            ? 'Import plan'
            : 'Baton');
    document.title = `${label} · Baton`;
  }, [route.path]);

  const page = () => {
    if (session.needsToken) return <TokenPrompt onSubmit={applyToken} hadToken={Boolean(session.token)} />;
    // Pages load while the server says who the key is (reading needs no role): until then they
    // offer no actions, and a refused key turns into the token prompt above.
    const task = /^\/tasks\/(\d+)$/.exec(route.path);
    if (task) {
      const access = !session.identity || readOnly ? 'none' : steer ? 'steer' : 'review';
      return <TaskView id={Number(task[1])} access={access} />;
    }
    const worker = /^\/workers\/([^/]+)$/.exec(route.path);
    if (worker) return <WorkerView id={decodeURIComponent(worker[1] as string)} />;
    switch (route.path) {
      case '/queue':
        return <QueueView />;
      case '/workers':
        return <WorkersView />;
      case '/workflows':
        return <WorkflowsView route={route} />;
      case '/analytics':
        return <AnalyticsView route={route} />;
      case '/new':
        if (!session.identity) return <p class="muted">Connecting…</p>;
        return steer ? <NewTaskView /> : <p>Creating tasks needs an admin key; this one cannot.</p>;
      case '/plan':
        if (!session.identity) return <p class="muted">Connecting…</p>;
        return steer ? <ImportPlanView /> : <p>Importing a plan needs an admin key; this one cannot.</p>;
      default:
        return <BoardView route={route} />;
    }
  };

  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="topbar">
        <a class="brand" href={href('/')}>
          Baton
        </a>
        <nav aria-label="main">
          <ul>
            {NAV.map((n) => (
              <li key={n.path}>
                <a
                  href={href(n.path)}
                  aria-current={
                    route.path === n.path || (n.path !== '/' && route.path.startsWith(`${n.path}/`)) ? 'page' : undefined
                  }
                >
                  {n.label}
                </a>
              </li>
            ))}
            {steer ? (
              <li>
                <a class="button primary" href={href('/new')} aria-current={route.path === '/new' ? 'page' : undefined}>
                  New task
                </a>
              </li>
            ) : null}
            {steer ? (
              <li>
                <a href={href('/plan')} aria-current={route.path === '/plan' ? 'page' : undefined}>
                  Import plan
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
        <div class="session" aria-live="polite">
          {session.identity ? <AlertsBadge /> : null}
          <button
            type="button"
            class="link small help-button"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            onClick={toggleHelp}
          >
            ?
          </button>
          <span class={`dot dot-${session.stream}`} aria-hidden="true" />
          <span class="small">{STREAM_LABEL[session.stream]}</span>
          {session.identity && session.token ? (
            <span class="badge role" title={session.identity.workerId ?? ''}>
              {session.identity.role}
              {readOnly ? ' · read-only' : ''}
            </span>
          ) : null}
          {session.token ? (
            <button type="button" class="link small" onClick={() => applyToken(null)}>
              Forget key
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page()}
      </main>
      {help ? <HelpOverlay onClose={closeHelp} /> : null}
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
