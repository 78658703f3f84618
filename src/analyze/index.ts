// Public surface of the analysis: one call per series, one call per gate decision.
export { analyzeSeries } from './analyze-series.js';
export { checkRate } from './check-rate.js';
export type { SeriesInput, SeriesAnalysis, AnalyzeOptions, RateCheck } from './types.js';
export { leaveOutWindows } from './profile-windows.js';
export type { SeriesWindow, WindowedSeries } from './profile-windows.js';
