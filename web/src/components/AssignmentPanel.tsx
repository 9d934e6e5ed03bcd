import { useEffect, useState } from 'preact/hooks';
import type { AssignmentExplanation, Bid } from '../api/types';
import { api } from '../lib/session';

/**
 * How the task reaches a worker: its assignment mode, its push offer or auction, the bids, and the
 * workers ranked by the push scoring (`GET /tasks/:id/assignment`). Shown when the task was offered
 * or bid on; read again when the task changes (`version`).
 */
export function AssignmentPanel({ id, version, bids }: { id: number; version: number; bids: Bid[] }) {
  const [explained, setExplained] = useState<AssignmentExplanation | null>(null);
  useEffect(() => {
    let live = true;
    api
      .explainAssignment(id)
      .then((e) => live && setExplained(e))
      .catch(() => live && setExplained(null));
    return () => {
      live = false;
    };
  }, [id, version]);
  if (!explained || (explained.offer === null && bids.length === 0)) return null;
  const offer = explained.offer;
  const ranked = explained.bids.length > 0 ? explained.bids : bids.map((b) => ({ ...b, load: 0 }));
  return (
    <section class="panel" aria-labelledby="assignment-title" data-assignment={explained.mode}>
      <h2 id="assignment-title">Assignment</h2>
      <p class="muted">
        {explained.mode}
        {offer
          ? ` · ${offer.kind} ${offer.closedAt ? `closed: ${offer.outcome}${offer.workerId ? ` → ${offer.workerId}` : ''}` : `open until ${new Date(offer.closesAt).toLocaleTimeString()}`}`
          : ''}
      </p>
      {ranked.length > 0 ? (
        <div class="table-wrap">
          <table class="table">
            <caption class="sr-only">Bids, best first</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Score</th>
                <th scope="col">Estimate</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {ranked.map((b) => (
                <tr key={b.id} data-bid={b.workerId}>
                  <th scope="row">{b.workerId}</th>
                  <td>{b.score.toFixed(2)}</td>
                  <td>{b.etaSeconds !== null ? `${Math.round(b.etaSeconds / 60)} min` : '–'}</td>
                  <td>{b.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted small">No bids.</p>
      )}
      <ol class="small">
        {explained.candidates
          .filter((c) => c.eligible)
          .slice(0, 5)
          .map((c) => (
            <li key={c.id}>
              {c.id}: {c.reasons.join('; ')}
            </li>
          ))}
      </ol>
    </section>
  );
}
