// The profiles leak-track --explain stored with a session, joined to the session's verdicts: one
// paragraph each (src/explain/paragraph.ts) and their Report JSON entries. Renderers lay them out.
import type { ExplainReport, ProcessReport, Role } from '../types.js';
import type { StoredProfile } from '../store/profile-store.js';
import type { RecordedSession } from '../store/read-session.js';
import { explainParagraph, topHolder } from '../explain/paragraph.js';
import { describeRate } from './verdict-words.js';

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r2 = (x: number) => Math.round(x * 100) / 100;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Each stored profile of `s` as a Report JSON entry, against the session's rows (`rows`: processes, tree excluded). */
export function explainEntries(s: RecordedSession, rows: ProcessReport[], startMs: number | null): ExplainReport[] {
  return (s.profiles ?? []).map((p) => entry(s, p, rows, startMs));
}

function entry(s: RecordedSession, p: StoredProfile, rows: ProcessReport[], startMs: number | null): ExplainReport {
  const proc = s.processes.find((x) => (p.processRowId !== null ? x.rowId === p.processRowId : x.info.pid === p.pid));
  const name = proc?.info.name ?? `PID ${p.pid}`;
  const role: Role = proc?.info.role ?? 'main';
  const row = rows.find((r) => r.pid === p.pid && r.role !== 'tree');
  const label = `${name} ${p.pid} (${role})`;
  const t0 = startMs ?? p.started_ms;
  return {
    pid: p.pid,
    name,
    role,
    runtime: p.runtime,
    status: p.status,
    started_at: iso(p.started_ms)!,
    ended_at: iso(p.ended_ms),
    trigger: p.trigger ? { rate_mb_per_min: r2(p.trigger.rate), rate_ci95_mb_per_min: [r2(p.trigger.ci[0]), r2(p.trigger.ci[1])] } : null,
    windows: p.windows.map((w) => ({ start_s: r3((w.start_ms - t0) / 1000), end_s: r3((w.end_ms - t0) / 1000), kind: w.kind })),
    message: p.message,
    paragraph: explainParagraph({ label, rateText: row ? describeRate(row) : null }, p),
    top_holder: p.status === 'done' ? topHolder(p.report) : null,
    profile: p.report,
  };
}
