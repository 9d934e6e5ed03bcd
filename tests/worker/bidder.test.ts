import { describe, expect, it } from 'vitest';
import { readBid } from '../../src/worker/bidder.js';

describe('what a --bid hook printed', () => {
  const cases: [string, string, ReturnType<typeof readBid>][] = [
    ['a bare score', '0.7\n', { score: 0.7 }],
    ['JSON with an estimate and a note', '{"score":1,"etaSeconds":90,"note":"warm"}', { score: 1, etaSeconds: 90, note: 'warm' }],
    ['nothing: declines', '  \n', null],
    ['a score out of range: declines', '1.5', null],
    ['not JSON: declines', 'maybe', null],
    ['an unknown field: declines', '{"score":0.5,"price":3}', null],
  ];
  it.each(cases)('%s', (_name, output, bid) => expect(readBid(output)).toEqual(bid));
});
