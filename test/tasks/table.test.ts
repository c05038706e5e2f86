import { expect } from "chai";

import { formatTable } from "../../tasks/table";

describe("formatTable: the tasks' tables align whatever their values' widths", () => {
  it("makes each column as wide as its widest cell, the header's too, two spaces apart", () => {
    const lines = formatTable(
      ["L2 block", "status"],
      [
        ["1", "final"],
        ["123456789012", "challenged: INVALID_STATE_ROOT (a very long reason)"],
      ],
    );
    expect(lines).to.deep.equal([
      "L2 block      status",
      "1             final",
      "123456789012  challenged: INVALID_STATE_ROOT (a very long reason)",
    ]);
  });

  it("starts every column at the same offset on every line, for values far wider or narrower than the header", () => {
    const long = "x".repeat(200);
    const lines = formatTable(["a", "bb", "ccc"], [[long, "1", long], ["", long, "2"], ["3"]]);
    const offsets = (line: string): number[] => [0, 200 + 2, 200 + 2 + 200 + 2].filter((o) => o < line.length);
    expect(lines[0]?.indexOf("bb")).to.equal(202);
    expect(lines[0]?.indexOf("ccc")).to.equal(404);
    expect(lines[1]?.slice(202, 203)).to.equal("1");
    expect(lines[1]?.slice(404)).to.equal(long);
    expect(lines[2]?.slice(202, 402)).to.equal(long);
    expect(lines[2]?.slice(404)).to.equal("2");
    expect(lines[3]).to.equal("3", "empty trailing cells leave no trailing spaces");
    for (const line of lines) for (const o of offsets(line).slice(1)) expect(line.slice(o - 2, o)).to.equal("  ");
  });
});
