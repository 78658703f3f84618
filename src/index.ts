// leak-detective's library API: the same pipeline and JSON shapes as the CLI, for scripts and test suites.
// Re-exports only; each function lives beside its stage.
export { assertNoLeak, LeakAssertionError, type AssertNoLeakOptions, type NoLeakResult } from './api/assert-no-leak.js';
export { analyzeSeries, checkRate } from './analyze/index.js';
export { track, type ExplainTrackOptions, type TrackOptions, type TrackResult } from './api/track.js';
export { readReport, readTraceReport, type ReadReportOptions, type ReadTraceOptions } from './api/read-report.js';
export { profilePid, profileSnapshots, type ProfileOptions } from './api/profile.js';
export type { SeriesInput, SeriesAnalysis, AnalyzeOptions, RateCheck } from './analyze/index.js';
export { LeakError, isLeakError, EXIT_CODES, type LeakErrorCode } from './errors.js';
export type * from './types.js';
