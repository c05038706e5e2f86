import { expect } from "chai";

import { maxVerifiableL2GasLimit } from "../../../precompiles/gas";
import { MIN_L2_GAS_LIMIT } from "../../../rollup-node/bridge/anchor";
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

  it("refuses a gas limit below the relay of the largest refund request alone: L1 refuses such blocks (L2GasLimitTooLow)", () => {
    expect(DEFAULT_L2_GAS_LIMIT >= MIN_L2_GAS_LIMIT).to.equal(true);
    expect(l2Genesis({ chainId: 7n, timestamp: 1n, bridgeCode: "0x00", gasLimit: MIN_L2_GAS_LIMIT }).gasLimit).to.equal(
      MIN_L2_GAS_LIMIT,
    );
    expect(() => l2Genesis({ chainId: 7n, timestamp: 1n, bridgeCode: "0x00", gasLimit: MIN_L2_GAS_LIMIT - 1n }))
      .to.throw(ArtifactError)
      .with.property("message")
      .that.matches(/below/);
  });
});
