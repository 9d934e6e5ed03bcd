/** The output of each attempt is kept in `<task>-<attempt>.log` in the store's `logs/` folder. */
export function attemptLogName(taskId: number, attempt: number): string {
  return `${taskId}-${attempt}.log`;
}

/** The attempt a log file of `taskId` belongs to, or null when the name is not one of its logs. */
export function attemptOfLogName(name: string, taskId: number): number | null {
  const m = /^(\d+)-(\d+)\.log$/.exec(name);
  return m && Number(m[1]) === taskId ? Number(m[2]) : null;
}
