export type { Analytics, AnalyticsBucket, AnalyticsGroup, AnalyticsRange, EpicRef, WorkerUse } from '../core/analytics.js';
export type { Burndown, BurndownPoint } from '../core/burndown.js';
export type { TaskBrief, WorkerDetail } from '../core/worker-record.js';
