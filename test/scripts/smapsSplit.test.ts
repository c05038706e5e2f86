import { expect } from "chai";

import { splitSmaps } from "../../scripts/smaps-split";

/** One smaps entry: a header line and the two fields the split reads (in kB, as the kernel writes them). */
function entry(range: string, perms: string, path: string, rssKb: number, anonymousKb: number): string {
  return `${range} ${perms} 00000000 00:00 0 ${path}\nSize: 4 kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\nAnonymous: ${anonymousKb} kB\n`;
}

describe("scripts/smaps-split: where a process's RSS sits", () => {
  it("counts a 64 MiB-aligned heap with its reservation as an arena, and nothing else as one", () => {
    const text = [
      entry("00400000-00b6f000", "r--p", "/usr/bin/node", 5944, 0),
      entry("05a00000-06000000", "rw-p", "[heap]", 1000, 1000),
      // an arena heap: 64 MiB-aligned, 0x4000000 long with the ---p reservation after it
      entry("7f0000000000-7f0002000000", "rw-p", "", 2048, 2048),
      entry("7f0002000000-7f0004000000", "---p", "", 0, 0),
      // a whole 64 MiB arena heap in one read-write mapping
      entry("7f0008000000-7f000c000000", "rw-p", "", 512, 512),
      // aligned, but 128 MiB with its reservation (V8 reserves such ranges): not an arena
      entry("7f0010000000-7f0011000000", "rw-p", "", 300, 300),
      entry("7f0011000000-7f0018000000", "---p", "", 0, 0),
      // not aligned: not an arena
      entry("7f0020100000-7f0020200000", "rw-p", "", 100, 100),
      entry("7f0030000000-7f0030200000", "r--s", "/data/l2/000012.ldb", 700, 0),
      entry("7ffd00000000-7ffd00021000", "rw-p", "[stack]", 40, 40),
    ].join("");
    const split = splitSmaps(text);
    expect(split.arenaCount).to.equal(2);
    expect(split.arenas).to.equal((2048 + 512) * 1024);
    expect(split.mainArena).to.equal(1000 * 1024);
    expect(split.otherAnonymous).to.equal((300 + 100) * 1024);
    expect(split.levelDbFiles).to.equal(700 * 1024);
    expect(split.otherFiles).to.equal(5944 * 1024);
    expect(split.stacks).to.equal(40 * 1024);
    const parts =
      split.arenas + split.mainArena + split.otherAnonymous + split.levelDbFiles + split.otherFiles + split.stacks;
    expect(parts).to.equal(split.rss);
    expect(split.anonymous).to.equal((1000 + 2048 + 512 + 300 + 100 + 40) * 1024);
  });
});
