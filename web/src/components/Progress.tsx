export function Progress({ value, label }: { value: number; label: string }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v}>
      <div class="progress-fill" style={{ width: `${v}%` }} />
      <span class="progress-text">{v}%</span>
    </div>
  );
}
