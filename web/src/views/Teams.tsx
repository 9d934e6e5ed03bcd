import type { TeamView } from '../api/types';
import { href } from '../lib/route';

/** Teams and the load of each member: who runs what, what waits for them, what they could take. */
export function Teams({ list }: { list: TeamView[] }) {
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      <div class="table-wrap">
        <table class="table">
          <caption class="sr-only">Teams, their members and each member's load</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Member</th>
              <th scope="col">Running</th>
              <th scope="col">Reserved</th>
              <th scope="col">Done / h</th>
              <th scope="col">Success</th>
              <th scope="col">Could serve</th>
            </tr>
          </thead>
          <tbody>
            {list.flatMap((t) =>
              t.load.map((l, i) => (
                <tr key={`${t.name}/${l.id}`} data-team={t.name} data-member={l.id}>
                  {i === 0 ? (
                    <th scope="rowgroup" rowSpan={t.load.length}>
                      {t.name}
                    </th>
                  ) : null}
                  <td>
                    <a href={href(`/workers/${encodeURIComponent(l.id)}`)}>{l.id}</a>
                    {l.id === t.leader ? (
                      <>
                        {' '}
                        <span class="badge">leader</span>
                      </>
                    ) : null}
                    <span class={`muted small health-${l.health}`}> {l.health}</span>
                  </td>
                  <td>{l.running}</td>
                  <td>{l.reserved}</td>
                  <td>{l.donePerHour}</td>
                  <td>{l.successRate === null ? '—' : `${Math.round(l.successRate * 100)}%`}</td>
                  <td>{l.demand}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
