import { expect } from "chai";

import { plural } from "../../rollup-node/logger";

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
