/**
 * What grew between two V8 heap snapshots (`npx ts-node --transpile-only scripts/heap-diff.ts
 * A.heapsnapshot B.heapsnapshot [--top N] [--per UNITS]`), e.g. the two `npm run load:l2 --
 * --heap-snapshots DIR` writes after the first minute and at the end.
 *
 * Prints, biggest growth first:
 * - by constructor: objects and self bytes in A and in B (strings, arrays and code by their V8 type);
 * - for each of the top growing constructors, where its objects hang: the retainer path from the
 *   GC roots (the shortest one, as DevTools' "distance" takes it, weak edges not followed), each
 *   step `Holder.edge`, with the bytes of that constructor under each path in A and in B.
 *   A step repeated along a chain (a linked list, a string built by `+=`) shows once, as `(step)×n`.
 * `--per UNITS` also divides each growth by UNITS (L2 blocks or transactions between the two).
 *
 * The snapshots are parsed from their bytes (a snapshot of a large heap is bigger than the
 * longest string V8 can hold, so it cannot be JSON.parse'd whole).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Snapshot {
  readonly nodeFieldCount: number;
  readonly edgeFieldCount: number;
  readonly nodeTypes: readonly string[];
  readonly edgeTypes: readonly string[];
  readonly nodes: Float64Array;
  readonly edges: Float64Array;
  readonly strings: readonly string[];
  readonly fields: { type: number; name: number; selfSize: number; edgeCount: number };
  readonly edgeFields: { type: number; nameOrIndex: number; toNode: number };
}

/** The index of `marker` in `bytes` at or after `from`; throws when absent. */
function find(bytes: Buffer, marker: string, from = 0): number {
  const at = bytes.indexOf(marker, from, "latin1");
  if (at < 0) throw new Error(`not a heap snapshot: no ${marker}`);
  return at;
}

/** The numbers of the JSON array starting right after `start` (its '['), up to its ']'. */
function numbersAfter(bytes: Buffer, start: number): Float64Array {
  let out = new Float64Array(1 << 20);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (n === out.length) {
        const grown = new Float64Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
    if (c === 93) break; // ']'
  }
  return out.subarray(0, n);
}

function readSnapshot(file: string): Snapshot {
  const bytes = readFileSync(file);
  const nodesAt = find(bytes, '"nodes":[');
  // The header (meta) is small JSON before the nodes.
  const header = JSON.parse(`${bytes.toString("utf8", 0, nodesAt).replace(/,\s*$/, "")}}`) as {
    snapshot: { meta: { node_fields: string[]; node_types: unknown[]; edge_fields: string[]; edge_types: unknown[] } };
  };
  const meta = header.snapshot.meta;
  const edgesAt = find(bytes, '"edges":[', nodesAt);
  const stringsAt = find(bytes, '"strings":[', edgesAt);
  // The strings array is the last member: parse it alone (it is far smaller than the whole file).
  const end = bytes.lastIndexOf("]");
  const strings = JSON.parse(bytes.toString("utf8", stringsAt + '"strings":'.length, end + 1)) as string[];
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  return {
    nodeFieldCount: nf.length,
    edgeFieldCount: ef.length,
    nodeTypes: meta.node_types[0] as string[],
    edgeTypes: meta.edge_types[0] as string[],
    nodes: numbersAfter(bytes, nodesAt + '"nodes":['.length),
    edges: numbersAfter(bytes, edgesAt + '"edges":['.length),
    strings,
    fields: {
      type: nf.indexOf("type"),
      name: nf.indexOf("name"),
      selfSize: nf.indexOf("self_size"),
      edgeCount: nf.indexOf("edge_count"),
    },
    edgeFields: { type: ef.indexOf("type"), nameOrIndex: ef.indexOf("name_or_index"), toNode: ef.indexOf("to_node") },
  };
}

interface Analysis {
  /** Constructor (or V8 type) of each node. */
  readonly classOf: string[];
  readonly selfSize: Float64Array;
  /** Shortest-path parent (node ordinal) and the label of the edge from it; -1 for unreachable/root. */
  readonly parent: Int32Array;
  readonly parentEdge: string[];
  readonly count: number;
}

function analyse(s: Snapshot): Analysis {
  const count = s.nodes.length / s.nodeFieldCount;
  const classOf: string[] = new Array(count);
  const selfSize = new Float64Array(count);
  const firstEdge = new Float64Array(count + 1);
  let edgeAt = 0;
  for (let i = 0; i < count; i++) {
    const base = i * s.nodeFieldCount;
    const type = s.nodeTypes[s.nodes[base + s.fields.type] as number] as string;
    const name = s.strings[s.nodes[base + s.fields.name] as number] as string;
    classOf[i] =
      type === "object" || type === "native"
        ? name.split(" ")[0] || `(${type})`
        : type === "closure"
          ? "(closure)"
          : type === "hidden" || type === "synthetic"
            ? `(${type}) ${name.slice(0, 40)}`
            : `(${type})`;
    selfSize[i] = s.nodes[base + s.fields.selfSize] as number;
    firstEdge[i] = edgeAt;
    edgeAt += (s.nodes[base + s.fields.edgeCount] as number) * s.edgeFieldCount;
  }
  firstEdge[count] = edgeAt;
  const parent = new Int32Array(count).fill(-1);
  const parentEdge: string[] = new Array(count);
  const seen = new Uint8Array(count);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  const weak = s.edgeTypes.indexOf("weak");
  const element = s.edgeTypes.indexOf("element");
  const hidden = s.edgeTypes.indexOf("hidden");
  while (head < tail) {
    const from = queue[head++] as number;
    for (let e = firstEdge[from] as number; e < (firstEdge[from + 1] as number); e += s.edgeFieldCount) {
      const type = s.edges[e + s.edgeFields.type] as number;
      if (type === weak) continue;
      const to = (s.edges[e + s.edgeFields.toNode] as number) / s.nodeFieldCount;
      if (seen[to] === 1) continue;
      seen[to] = 1;
      parent[to] = from;
      const nameOrIndex = s.edges[e + s.edgeFields.nameOrIndex] as number;
      parentEdge[to] =
        type === element || type === hidden ? "[]" : (s.strings[nameOrIndex] ?? String(nameOrIndex)).slice(0, 40);
      queue[tail++] = to;
    }
  }
  return { classOf, selfSize, parent, parentEdge, count };
}

/**
 * `Holder.edge` steps from the nearest named holders down to node `i`, at most `depth` distinct
 * ones; a step repeated (a linked list, a string built by `+=`) is shown once with its count.
 */
function retainerPath(a: Analysis, i: number, depth: number): string {
  const steps: { text: string; times: number }[] = [];
  let node = i;
  while (steps.length < depth && a.parent[node] !== -1) {
    const up = a.parent[node] as number;
    const label = a.classOf[up] as string;
    const edge = a.parentEdge[node] as string;
    // Internal V8 arrays between a holder and its elements say nothing: fold them into the edge.
    const text = label === "(array)" || label === "(object shape)" ? `[${edge}]` : `${label}.${edge}`;
    const last = steps[steps.length - 1];
    if (last?.text === text) last.times++;
    else steps.push({ text, times: 1 });
    node = up;
  }
  return (
    steps
      .reverse()
      // Not the count: a path must name the same place in both snapshots, however long the chain grew.
      .map((step) => (step.times > 1 ? `(${step.text})×n` : step.text))
      .join(" > ")
  );
}

function bytesByClass(a: Analysis): Map<string, { count: number; bytes: number }> {
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < a.count; i++) {
    const key = a.classOf[i] as string;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += a.selfSize[i] as number;
    out.set(key, entry);
  }
  return out;
}

function bytesByPath(a: Analysis, cls: string, depth: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < a.count; i++) {
    if (a.classOf[i] !== cls) continue;
    const key = retainerPath(a, i, depth);
    out.set(key, (out.get(key) ?? 0) + (a.selfSize[i] as number));
  }
  return out;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: "string", default: "15" },
      depth: { type: "string", default: "8" },
      per: { type: "string" },
    },
  });
  const [fileA, fileB] = positionals;
  if (fileA === undefined || fileB === undefined) {
    console.error("usage: heap-diff.ts A.heapsnapshot B.heapsnapshot [--top N] [--depth D] [--per UNITS]");
    process.exit(2);
  }
  const top = Number(values.top);
  const depth = Number(values.depth);
  const per = values.per === undefined ? undefined : Number(values.per);
  const perText = (bytes: number): string => (per === undefined ? "" : `, ${(bytes / per).toFixed(0)} B/unit`);
  const a = analyse(readSnapshot(fileA));
  const b = analyse(readSnapshot(fileB));
  const classesA = bytesByClass(a);
  const classesB = bytesByClass(b);
  const total = (m: Map<string, { bytes: number }>): number => [...m.values()].reduce((sum, e) => sum + e.bytes, 0);
  console.log(`heap (self sizes): A ${mb(total(classesA))}, B ${mb(total(classesB))}`);
  const growth = [...classesB]
    .map(([cls, inB]) => {
      const inA = classesA.get(cls) ?? { count: 0, bytes: 0 };
      return { cls, inA, inB, bytes: inB.bytes - inA.bytes, count: inB.count - inA.count };
    })
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top);
  console.log("\n=== by constructor (growth A → B) ===");
  for (const g of growth)
    console.log(
      `${mb(g.bytes).padStart(11)} ${String(g.count).padStart(9)} objects  ${g.cls}  (A ${mb(g.inA.bytes)} / ${g.inA.count}, B ${mb(g.inB.bytes)} / ${g.inB.count}${perText(g.bytes)})`,
    );
  console.log("\n=== retainer paths of the top growers (bytes of that constructor under each path) ===");
  for (const g of growth.slice(0, Math.min(top, 10))) {
    const pathsA = bytesByPath(a, g.cls, depth);
    const pathsB = bytesByPath(b, g.cls, depth);
    const rows = [...pathsB]
      .map(([p, bytes]) => ({ p, bytes, grew: bytes - (pathsA.get(p) ?? 0) }))
      .sort((x, y) => y.grew - x.grew)
      .slice(0, 5);
    console.log(`\n${g.cls}: +${mb(g.bytes)}`);
    for (const row of rows) console.log(`  +${mb(row.grew)} (B ${mb(row.bytes)}${perText(row.grew)})  ${row.p}`);
  }
}

main();
