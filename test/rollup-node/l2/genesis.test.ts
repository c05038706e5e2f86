import { expect } from "chai";

import { maxVerifiableL2GasLimit } from "../../../precompiles/gas";
import { ArtifactError } from "../../../rollup-node/l2/errors";
import { DEFAULT_L2_GAS_LIMIT, l2Genesis } from "../../../rollup-node/l2/genesis";

describe("L2 genesis", () => {
  it("keeps the gas limit within what EXECUTE may verify in one L1 block: a larger one would make every block invalid", () => {
    expect(DEFAULT_L2_GAS_LIMIT <= maxVerifiableL2GasLimit()).to.equal(true);
    expect(
      l2Genesis({ chainId: 7n, timestamp: 1n, bridgeCode: "0x00", gasLimit: maxVerifiableL2GasLimit() }).gasLimit,
    ).to.equal(maxVerifiableL2GasLimit());
    expect(() =>
      l2Genesis({ chainId: 7n, timestamp: 1n, bridgeCode: "0x00", gasLimit: maxVerifiableL2GasLimit() + 1n }),
    )
      .to.throw(ArtifactError)
      .with.property("message")
      .that.matches(/exceeds/);
  });
});
