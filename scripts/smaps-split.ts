/**
 * Where a process's resident memory sits, from Linux's /proc/<pid>/smaps (#14, memory-bounds.md):
 * `npx ts-node --transpile-only scripts/smaps-split.ts PID|FILE...` prints, for each process or
 * saved smaps file, its RSS split into file pages (LevelDB's table files apart from the rest),
 * glibc's malloc arenas (the main arena's `[heap]`, and the other arenas' heaps with their count),
 * thread stacks, and the rest of anonymous memory (V8's heap pages, allocations above malloc's
 * mmap threshold, anything else mapped anonymously). `load:l2` gives the same process's V8 figures
 * per minute; this gives what neither V8 nor `/proc/self/status` names: how much of the native
 * rest the arenas hold, which `MALLOC_ARENA_MAX` bounds.
 */
import { readFileSync } from "node:fs";

/** glibc's HEAP_MAX_SIZE on 64-bit: every arena but the main one is a heap of this size, aligned to it. */
const ARENA_HEAP_BYTES = 64 * 1024 * 1024;

/** One mapping of smaps: its address range, permissions, path (empty when anonymous) and resident bytes. */
export interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly path: string;
  readonly rss: number;
  readonly anonymous: number;
}

/** Resident bytes by kind (they add up to the process's RSS). */
export interface SmapsSplit {
  readonly rss: number;
  readonly anonymous: number;
  /** File pages of LevelDB's table and log files (`.ldb`, `.log`): grow with the database, bounded by its open-file limit. */
  readonly levelDbFiles: number;
  /** Every other file mapped in (the node binary, shared libraries). */
  readonly otherFiles: number;
  /** The main arena (`[heap]`, grown with brk). */
  readonly mainArena: number;
  /** The other arenas' heaps, and how many there are (glibc makes up to 8 × cores unless MALLOC_ARENA_MAX says less). */
  readonly arenas: number;
  readonly arenaCount: number;
  readonly stacks: number;
  /** Anonymous memory not in the above: V8's heaps, malloc's mmapped large chunks, other anonymous maps. */
  readonly otherAnonymous: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/;

/** The mappings of an smaps text, in address order. */
export function parseSmaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  let current: { start: bigint; end: bigint; perms: string; path: string; rss: number; anonymous: number } | undefined;
  for (const line of text.split("\n")) {
    const header = HEADER.exec(line);
    if (header !== null) {
      if (current !== undefined) mappings.push(current);
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3] as string,
        path: (header[4] as string).trim(),
        rss: 0,
        anonymous: 0,
      };
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field !== null && current !== undefined)
      current[field[1] === "Rss" ? "rss" : "anonymous"] = Number(field[2]) * 1024;
  }
  if (current !== undefined) mappings.push(current);
  return mappings;
}

/**
 * Whether mapping `i` is a (non-main) malloc arena's heap: anonymous, read-write, starting on a
 * 64 MiB boundary, and 64 MiB long together with the inaccessible reservation that follows it.
 */
function isArenaHeap(mappings: readonly Mapping[], i: number): boolean {
  const m = mappings[i] as Mapping;
  if (m.path !== "" || !m.perms.startsWith("rw") || m.start % BigInt(ARENA_HEAP_BYTES) !== 0n) return false;
  const size = m.end - m.start;
  if (size === BigInt(ARENA_HEAP_BYTES)) return true;
  const next = mappings[i + 1];
  return (
    next !== undefined &&
    next.path === "" &&
    next.perms.startsWith("---") &&
    next.start === m.end &&
    next.end - m.start === BigInt(ARENA_HEAP_BYTES)
  );
}

/** The RSS of an smaps text, split by kind (SmapsSplit). */
export function splitSmaps(text: string): SmapsSplit {
  const mappings = parseSmaps(text);
  const split: { -readonly [K in keyof SmapsSplit]: number } = {
    rss: 0,
    anonymous: 0,
    levelDbFiles: 0,
    otherFiles: 0,
    mainArena: 0,
    arenas: 0,
    arenaCount: 0,
    stacks: 0,
    otherAnonymous: 0,
  };
  mappings.forEach((m, i) => {
    split.rss += m.rss;
    split.anonymous += m.anonymous;
    if (m.path.startsWith("/")) {
      if (/\.(ldb|log)( \(deleted\))?$/.test(m.path)) split.levelDbFiles += m.rss;
      else split.otherFiles += m.rss;
    } else if (m.path === "[heap]") split.mainArena += m.rss;
    else if (m.path.startsWith("[stack")) split.stacks += m.rss;
    else if (isArenaHeap(mappings, i)) {
      split.arenas += m.rss;
      split.arenaCount += 1;
    } else if (m.path === "") split.otherAnonymous += m.rss;
    else split.otherFiles += m.rss; // [vdso], [vvar] and the like: a few pages
  });
  return split;
}

function main(): void {
  const targets = process.argv.slice(2);
  if (targets.length === 0) {
    console.error("usage: smaps-split.ts PID|FILE...");
    process.exit(2);
  }
  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    "source | RSS | anonymous | main arena | arenas (count) | other anonymous | stacks | LevelDB files | other files (MiB)",
  );
  for (const target of targets) {
    const file = /^\d+$/.test(target) ? `/proc/${target}/smaps` : target;
    const s = splitSmaps(readFileSync(file, "utf8"));
    console.log(
      `${target} | ${mib(s.rss)} | ${mib(s.anonymous)} | ${mib(s.mainArena)} | ${mib(s.arenas)} (${s.arenaCount}) | ${mib(s.otherAnonymous)} | ${mib(s.stacks)} | ${mib(s.levelDbFiles)} | ${mib(s.otherFiles)}`,
    );
  }
}

if (require.main === module) main();
