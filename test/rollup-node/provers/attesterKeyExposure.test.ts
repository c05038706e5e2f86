import { readFileSync, readdirSync } from "node:fs";

import { expect } from "chai";
import { hexlify } from "ethers";

import { DEFAULT_HARDFORK } from "../../../rollup-node/chain/genesis";
import { AttesterPool } from "../../../rollup-node/provers/attesterPool";

/** The command lines (as `ps` shows them) of this process's children. */
function childCommandLines(): string[] {
  const lines: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid (after the parenthesised command name).
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === process.pid) lines.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // The process ended while we listed it.
    }
  }
  return lines;
}

describe("attester processes keep their keys out of the process table", function () {
  this.timeout(120_000);

  it("no attester's private key appears on its command line (what `ps` shows every user)", async () => {
    const privateKey = new Uint8Array(32).fill(0x5a);
    const pool = await AttesterPool.start([{ privateKey, memberIndex: 0 }], { hardfork: DEFAULT_HARDFORK, eips: [] });
    try {
      const lines = childCommandLines().filter((l) => l.includes("attesterProcess"));
      expect(lines, "the attester child process").to.have.length(1);
      expect(lines[0]).to.not.include(hexlify(privateKey).slice(2));
      expect(pool.publicKeys).to.have.length(1);
    } finally {
      await pool.close();
    }
  });
});
