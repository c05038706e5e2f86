/**
 * The top items of a V8 CPU profile (`.cpuprofile`, from `node --cpu-prof` or bench:rollup's
 * BENCH_CPU_PROFILE): self time by function, and self plus callees' time of chosen frames, in
 * percent of the profile's samples. Usage:
 *   npx ts-node --transpile-only scripts/profile-top.ts <file.cpuprofile> [top=25] [frame names…]
 * PROFILE_BUSY=1 counts only the 100 ms windows in which the thread was less than half idle (the
 * run itself, not the client's start-up around it).
 * A frame name (e.g. `lookupNode`, `batch`, `sharedConstructor`) prints the share of samples
 * whose stack holds a function of that name: its inclusive time, callees counted once.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** PROFILE_BUSY=1: only the samples of 100 ms windows in which the thread was less than half idle. */
const BUSY_ONLY = process.env.PROFILE_BUSY === "1";
const BUSY_WINDOW_US = 100_000;

/** The indices of the samples to count: all, or those of the busy windows (PROFILE_BUSY). */
function countedSamples(profile: Profile, idleId: number | undefined): number[] {
  const all = profile.samples.map((_, i) => i);
  if (!BUSY_ONLY) return all;
  let at = 0;
  const windowOf = profile.samples.map((_, i) => {
    at += profile.timeDeltas[i] ?? 0;
    return Math.floor(at / BUSY_WINDOW_US);
  });
  const idle = new Map<number, number>();
  const count = new Map<number, number>();
  for (const i of all) {
    const w = windowOf[i] as number;
    count.set(w, (count.get(w) ?? 0) + 1);
    if (profile.samples[i] === idleId) idle.set(w, (idle.get(w) ?? 0) + 1);
  }
  return all.filter((i) => {
    const w = windowOf[i] as number;
    return (idle.get(w) ?? 0) * 2 < (count.get(w) ?? 0);
  });
}

/** `function (package or file:line)`: where a frame's code lives, short. */
function frameLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  const where = pkg ?? (url === "" ? "" : `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`);
  return `${functionName === "" ? "(anonymous)" : functionName}${where === "" ? "" : ` ${where}`}`;
}

function main(): void {
  const [file, topArg, ...frames] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: profile-top.ts <file.cpuprofile> [top] [frame names…]");
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const idleId = profile.nodes.find((n) => n.callFrame.functionName === "(idle)")?.id;
  const counted = countedSamples(profile, idleId);
  const total = counted.length;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>(frames.map((f) => [f, 0]));
  for (const index of counted) {
    const id = profile.samples[index] as number;
    const node = byId.get(id) as ProfileNode;
    const label = frameLabel(node);
    self.set(label, (self.get(label) ?? 0) + 1);
    if (frames.length === 0) continue;
    const names = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      names.add((byId.get(at) as ProfileNode).callFrame.functionName);
    for (const f of frames) if (names.has(f)) inclusive.set(f, (inclusive.get(f) ?? 0) + 1);
  }
  const pct = (n: number): string => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
  console.log(`${total} samples${BUSY_ONLY ? " (busy windows only)" : ""}; self time:`);
  for (const [label, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${label}`);
  if (frames.length > 0) console.log("inclusive (the frame anywhere on the stack):");
  for (const [f, n] of inclusive) console.log(`${pct(n)}  ${f}`);
}

main();
