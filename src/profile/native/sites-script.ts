// The bpftrace program that follows a running process's C allocations: every malloc/calloc/realloc
// is remembered by its pointer with its size and its caller (the return address on the stack at entry:
// frame pointers are rarely there, so a deeper stack would be guesswork), and forgotten at its free.
// What is left when tracing stops is what was allocated meanwhile and not freed, by caller.

/** The program for `pid`, whose libc is `libc` (a path bpftrace can open). Pure. */
export function sitesScript(pid: number, libc: string): string {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid ${pid}`);
  if (!/^[\w./+-]+$/.test(libc)) throw new Error(`a libc path bpftrace cannot take: ${libc}`);
  const at = (fn: string) => `uprobe:${libc}:${fn}`;
  const ret = (fn: string) => `uretprobe:${libc}:${fn}`;
  const forget = (p: string) =>
    `$s = @pcl[${p}]; @bytes[usym($s)] -= @psz[${p}]; @n[usym($s)] -= 1; delete(@psz[${p}]); delete(@pcl[${p}]);`;
  return [
    // Types the maps before any probe reads them (bpftrace infers a map's type from its first
    // assignment in the text); "attached" tells the caller the probes are live (BEGIN runs after attaching).
    'BEGIN { @pcl[0] = (uint64)0; @psz[0] = (uint64)0; delete(@pcl[0]); delete(@psz[0]); printf("attached\\n"); }',
    `${at('malloc')} /pid == ${pid}/ { @sz[tid] = arg0; @cl[tid] = *(uint64 *)reg("sp"); }`,
    `${at('calloc')} /pid == ${pid}/ { @sz[tid] = arg0 * arg1; @cl[tid] = *(uint64 *)reg("sp"); }`,
    `${at('realloc')} /pid == ${pid}/ { @sz[tid] = arg1; @cl[tid] = *(uint64 *)reg("sp"); @old[tid] = arg0; }`,
    `${ret('malloc')},${ret('calloc')},${ret('realloc')} /pid == ${pid} && @cl[tid]/ {`,
    `  $o = @old[tid];`,
    `  if ($o != 0 && @psz[$o] != 0) { ${forget('$o')} }`,
    `  if (retval != 0) { @psz[retval] = @sz[tid]; @pcl[retval] = @cl[tid]; @bytes[usym(@cl[tid])] += @sz[tid]; @n[usym(@cl[tid])] += 1; }`,
    `  delete(@sz[tid]); delete(@cl[tid]); delete(@old[tid]);`,
    `}`,
    `${at('free')} /pid == ${pid} && @psz[arg0]/ { ${forget('arg0')} }`,
    // Only the per-site sums are printed when tracing stops.
    `END { clear(@sz); clear(@cl); clear(@old); clear(@psz); clear(@pcl); }`,
  ].join('\n');
}
