// Parsing of the user-facing quantities (durations, rates, sizes). MB means MiB throughout.
import { usageError } from './errors.js';

export const MiB = 1024 * 1024;

export const bytesToMb = (bytes: number): number => bytes / MiB;

/**
 * Parse a duration: `90` (unit given by `bareUnit`), `90s`, `5m`, `2h`, `1.5`, `250ms`.
 * Throws a usage error that names the flag and the bad value.
 */
export function parseDuration(value: unknown, flag: string, bareUnit: 's' | 'min', opts: { allowZero?: boolean } = {}): number {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|sec|m|min|h|hr|d)?$/i.exec(text);
  if (!m) {
    throw usageError(`${flag} must be a positive duration such as 90, 90s, 5m or 2h, got \`${text}\``);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? bareUnit).toLowerCase();
  const factor: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86400 };
  const seconds = n * factor[unit]!;
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds === 0 && !opts.allowZero)) {
    throw usageError(`${flag} must be ${opts.allowZero ? 'zero or more' : 'greater than zero'}, got \`${text}\``);
  }
  return seconds;
}

/**
 * Parse a rate bound into MB/min: `50`, `50MB/min`, `3GB/h`, `500KB/s`.
 */
export function parseRate(value: unknown, flag = '--max-rate'): number {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:(b|kb|kib|mb|mib|gb|gib)\s*(?:\/\s*(s|sec|m|min|h|hr))?)?$/i.exec(text);
  if (!m) {
    throw usageError(`${flag} must be a rate such as 50 (MB/min), 50MB/min or 3GB/h, got \`${text}\``);
  }
  // A size without a time (`50GB`) is not a rate: guessing "per minute" turned 50 GB/h into 50 GB/min.
  if (m[2] !== undefined && m[3] === undefined) {
    throw usageError(`${flag} needs a time unit after the size, e.g. ${m[1]}${m[2]}/min or ${m[1]}${m[2]}/h, got \`${text}\``);
  }
  const n = Number(m[1]);
  const size = (m[2] ?? 'mb').toLowerCase().replace('i', '');
  const per = (m[3] ?? 'min').toLowerCase();
  const sizeMb: Record<string, number> = { b: 1 / MiB, kb: 1 / 1024, mb: 1, gb: 1024 };
  const perMin: Record<string, number> = { s: 1 / 60, sec: 1 / 60, m: 1, min: 1, h: 60, hr: 60 };
  const rate = (n * sizeMb[size]!) / perMin[per]!;
  if (!(rate > 0)) throw usageError(`${flag} must be greater than zero, got \`${text}\``);
  return rate;
}

/** A --max-rate bound (MB/min) as a person reads it: 4 significant digits (500KB/s is 29.3; 50 stays 50). */
export function formatBound(mbPerMin: number | null | undefined): string {
  return typeof mbPerMin === 'number' && Number.isFinite(mbPerMin) ? String(Number(mbPerMin.toPrecision(4))) : String(mbPerMin);
}

/** Format MB with sensible precision for tables. */
export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return '—';
  const a = Math.abs(mb);
  if (a >= 10240) return `${(mb / 1024).toFixed(1)} GB`;
  if (a >= 100) return `${mb.toFixed(0)} MB`;
  if (a >= 10) return `${mb.toFixed(1)} MB`;
  return `${mb.toFixed(2)} MB`;
}

/** Format seconds as 1h02m, 5m30s, 42s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/**
 * Parse a size into bytes: `1024`, `512B`, `1KB`, `1.5 MB`, `2GiB` (K/M/G are binary, as everywhere here).
 * A bare number is bytes. Throws a usage error naming `what` and the bad value.
 */
export function parseSize(value: unknown, what = 'size'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw usageError(`${what} must be a size of zero or more bytes, got \`${value}\``);
    return value;
  }
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text);
  if (!m) throw usageError(`${what} must be a size such as 1024, 1KB or 2MB, got \`${text}\``);
  const unit = (m[2] ?? 'b').toLowerCase().replace('i', '');
  const factor: Record<string, number> = { b: 1, kb: 1024, mb: MiB, gb: 1024 * MiB };
  return Number(m[1]) * factor[unit]!;
}
