// Readings the budget is composed from (one per census or snapshot), and the budget itself.

/** glibc's mallinfo2() (or mallinfo()) in the target, bytes. */
export interface MallocInfo {
  arena: number; // bytes from sbrk/arenas (in use + free)
  hblkhd: number; // bytes in chunks malloc mmapped on their own
  uordblks: number; // bytes in use in the arenas
  fordblks: number; // bytes free in the arenas, kept by the allocator
  keepcost: number; // free at the top of the main heap (what a plain trim could release)
}

/** pymalloc's own arenas (from _PyObject_DebugMallocStats), bytes. */
export interface PymallocInfo {
  arenas_bytes: number;
  allocated_bytes: number;
  free_bytes: number; // available blocks + unused pools
}

export interface PythonBudgetReading {
  t_s: number;
  /** USS of the target read from /proc when the census began; null when it could not be read. */
  uss: number | null;
  /** Resident bytes shared with another process (RSS - USS) when the census began; absent when not read. */
  shared?: number | null;
  /** The census's bytes of Python objects (tensors' storages and numpy buffers counted once). */
  objects_bytes: number;
  malloc: MallocInfo | null;
  pymalloc: PymallocInfo | null;
}

export interface NodeBudgetReading {
  t_s: number;
  uss: number | null;
  heap_used: number;
  heap_total: number;
  external: number; // includes array_buffers (Node's process.memoryUsage())
  array_buffers: number;
}

/** A Node capture's readings: just before its snapshot (after its GC) and just after it. */
export interface NodeCapture {
  before: NodeBudgetReading;
  after: NodeBudgetReading;
}

export interface BudgetPart {
  key: string;
  label: string;
  bytes: number;
}

export interface Budget {
  runtime: 'python' | 'node';
  window_s: number;
  uss_first: number;
  uss_last: number;
  uss_delta: number;
  /** The USS growth split; the parts sum to uss_delta (the last one is the remainder). */
  parts: BudgetPart[];
  /** The key of the part that dominates the growth, or null when USS did not grow enough to say. */
  dominant: string | null;
  /** The one line a user reads first. */
  verdict: string;
  /** USS at a capture between the ends that rose above both by 2 MB or more (growth given back), and when (s into the window). */
  uss_peak?: number;
  uss_peak_t_s?: number;
  /** Node: USS the first heap snapshot left in the target (memory the allocator kept after it), before the window. */
  first_capture_left?: number;
}
