import { expect } from "chai";

import { MemoryLogger, plural, quietRepeats } from "../../rollup-node/logger";

describe("plural: a count and its noun in agreement, for every user-facing count", () => {
  it("says '1 message' for one and '0 messages', '2 messages' otherwise, for numbers and bigints", () => {
    expect(plural(1, "message")).to.equal("1 message");
    expect(plural(1n, "message")).to.equal("1 message");
    expect(plural(0, "message")).to.equal("0 messages");
    expect(plural(2n, "L1 → L2 message")).to.equal("2 L1 → L2 messages");
  });

  it("takes the plural of a noun that does not add an s", () => {
    expect(plural(1, "attester process", "attester processes")).to.equal("1 attester process");
    expect(plural(3, "attester process", "attester processes")).to.equal("3 attester processes");
  });
});

describe("quietRepeats: a warning repeated word for word is written once per window, and counted", () => {
  const at = { ms: 0 };
  const now = (): number => at.ms;
  beforeEach(() => {
    at.ms = 0;
  });

  it("writes a poll failure once while it repeats, then how many times it repeated before the next line", () => {
    const lines = new MemoryLogger();
    const logger = quietRepeats(lines, 60_000, now);
    for (let poll = 0; poll < 120; poll++) {
      logger.warn("L1 poll failed (will retry): connect ECONNREFUSED 127.0.0.1:8545");
      at.ms += 500;
    }
    logger.info("L1 reachable again");
    expect(lines.lines).to.deep.equal([
      { level: "warn", message: "L1 poll failed (will retry): connect ECONNREFUSED 127.0.0.1:8545" },
      { level: "warn", message: "(the line above repeated 119 more times in 60 s)" },
      { level: "info", message: "L1 reachable again" },
    ]);
  });

  it("says the line again once the window has passed, with the count of the window before", () => {
    const lines = new MemoryLogger();
    const logger = quietRepeats(lines, 60_000, now);
    logger.error("no rollup at 0x5FbD on this L1");
    at.ms = 30_000;
    logger.error("no rollup at 0x5FbD on this L1");
    at.ms = 61_000;
    logger.error("no rollup at 0x5FbD on this L1");
    expect(lines.lines.map((line) => line.message)).to.deep.equal([
      "no rollup at 0x5FbD on this L1",
      "(the line above repeated 1 more time in 61 s)",
      "no rollup at 0x5FbD on this L1",
    ]);
  });

  it("passes different lines, info and debug through as they come", () => {
    const lines = new MemoryLogger();
    const logger = quietRepeats(lines, 60_000, now);
    logger.warn("a");
    logger.warn("b");
    logger.warn("a");
    logger.info("i");
    logger.info("i");
    logger.debug("d");
    expect(lines.lines.map((line) => `${line.level} ${line.message}`)).to.deep.equal([
      "warn a",
      "warn b",
      "warn a",
      "info i",
      "info i",
      "debug d",
    ]);
  });
});
