import { z } from 'zod';
import { ANALYTICS_RANGES } from '../analytics.js';

/** Inputs of the calls that look back: analytics over a time range. */

export const analyticsQuerySchema = z.strictObject({
  /** How far back: 1h, 24h (the default), 7d or 30d. */
  range: z.enum(ANALYTICS_RANGES, { error: `must be one of ${ANALYTICS_RANGES.join(', ')}` }).optional(),
});
export type AnalyticsQuery = z.input<typeof analyticsQuerySchema>;
