import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The guard's shell script. Its stdin is a pipe whose other end only the worker holds: lines
 * `+PGID GRACE_MS` and `-PGID` say which process groups run commands now. End of input means the
 * worker is gone — exited, or killed by SIGKILL, which no handler in the worker can catch — so
 * every group still listed gets SIGTERM, then SIGKILL once the longest grace has passed.
 */
const SCRIPT = `
trap '' INT HUP
groups=' '
grace=0
while IFS= read -r line; do
  case $line in
    +*) set -- \${line#+}; groups="$groups$1 "; [ "\${2:-0}" -gt "$grace" ] && grace=$2 ;;
    -*) id=\${line#-}; case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
[ -z "\${groups# }" ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
waited=0
while [ "$waited" -lt "$grace" ]; do
  alive=
  for g in $groups; do kill -s 0 -- "-$g" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  sleep 0.1
  waited=$((waited + 100))
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

/** How the guard shows in `ps`: `baton-orphan-guard <worker pid>`. */
export const GUARD_NAME = 'baton-orphan-guard';

/**
 * Kills the process groups of a worker's commands when the worker dies. Node has no
 * `prctl(PR_SET_PDEATHSIG)`, and a command runs in its own process group (so that a timeout can
 * kill all it started), so nothing else would stop it: it would run on beside the retry of its task.
 *
 * One small `/bin/sh` per worker process, started with the first command, in its own session so
 * that a terminal's Ctrl-C, meant for the worker and its grace period, does not reach it. Limits:
 * a group is registered just after its command is spawned, so a worker killed in between leaves
 * that one behind (a window of one synchronous write); a process that leaves its group (`setsid`) is not followed; and a SIGKILL of the
 * guard itself (or of everything, as at a machine's power-off) takes the protection with it.
 */
export class OrphanGuard {
  private child: ChildProcess | null = null;
  /** Groups watched now, with the grace each one's command is given between SIGTERM and SIGKILL. */
  private readonly groups = new Map<number, number>();

  /**
   * Starts the guard if it does not run. Called before a command is spawned, so that registering
   * its group right after is one write: starting the guard then would widen the window in which a
   * worker's death leaves the command behind.
   */
  prepare(): void {
    this.ensure();
  }

  watch(pgid: number, graceMs: number): void {
    const grace = Math.max(0, Math.round(graceMs));
    // Started (and told of the groups already watched) before this one joins them: told once.
    const child = this.ensure();
    this.groups.set(pgid, grace);
    this.send(child, `+${pgid} ${grace}`);
  }

  forget(pgid: number): void {
    if (!this.groups.delete(pgid) || !this.child) return;
    this.send(this.child, `-${pgid}`);
  }

  private send(child: ChildProcess | null, line: string): void {
    child?.stdin?.write(`${line}\n`);
  }

  /** The running guard; started again (told every group still watched) if it died. */
  private ensure(): ChildProcess | null {
    if (this.child) return this.child;
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', SCRIPT, GUARD_NAME, String(process.pid)], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch {
      return null;
    }
    this.child = child;
    child.on('error', () => this.lost(child));
    child.on('exit', () => this.lost(child));
    child.stdin?.on('error', () => this.lost(child));
    // The guard must never keep a finished worker alive: its pipe closes when the worker exits.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    for (const [pgid, grace] of this.groups) this.send(child, `+${pgid} ${grace}`);
    return child;
  }

  private lost(child: ChildProcess): void {
    if (this.child === child) this.child = null;
  }
}

/** The guard of this process's commands. */
export const orphanGuard = new OrphanGuard();
