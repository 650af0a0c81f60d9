// Hard limits on lab files. A lab is a small hand-written file; these bounds
// keep a hostile or broken file (huge, deeply nested, alias bomb) from
// stalling the parser or the simulator, and turn it into a clear error.

/** Largest accepted lab file, in UTF-8 bytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of YAML collections (the top-level mapping is depth 1). */
export const MAX_DEPTH = 64;
/** Alias dereferences a full expansion of the document may perform. */
export const MAX_ALIAS_COUNT = 100;

export const MAX_HOSTS = 1000;
export const MAX_LINKS = 4000;
export const MAX_CHECKS = 10000;
export const MAX_EXEC_PER_HOST = 1000;

/** Longest one-way link delay: 60 s. */
export const MAX_DELAY_NS = 60e9;
/** Fastest line rate: 10 Tbit/s (keeps per-byte times above 0.0001 ns). */
export const MAX_RATE_BPS = 10e12;
