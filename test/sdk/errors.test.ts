import { expect } from "chai";

import {
  AlreadyFinalizedError,
  FinalizationFailedError,
  InvalidArgumentError,
  MessageFailedError,
  MessageNotFoundError,
  NodeRpcError,
  NotARollupError,
  NotProvableYetError,
  RollupSdkError,
  SignerRequiredError,
  TransactionFailedError,
  WaitTimeoutError,
} from "../../sdk";

describe("sdk: a typed error's message is without its hint, the hint is in .hint (trial s29: printing both showed it twice)", () => {
  const hash = `0x${"ab".repeat(32)}`;
  const errors: RollupSdkError[] = [
    new SignerRequiredError("L1", "deposit"),
    new InvalidArgumentError("rollupAddress 0x1 is not an address", "pass the rollup contract's L1 address"),
    new AlreadyFinalizedError(hash),
    new FinalizationFailedError(hash, "MessageCallFailed(0x, 0x)"),
    new TransactionFailedError("L2", hash, "reverted"),
    new NodeRpcError("rollup_getMessage", "TX_REJECTED", "nonce too low", "wait for the pending transaction"),
    new WaitTimeoutError("status provable", 1000, "status initiated", "check that the L2 node is producing blocks"),
    new MessageFailedError(3n, "failed", "callFailed", "Boom()"),
    new NotARollupError(`0x${"11".repeat(20)}`, "no code"),
  ];

  it("each of the SDK's own errors", () => {
    for (const error of errors) {
      expect(error, error.constructor.name).to.be.instanceOf(RollupSdkError);
      expect(error.hint, error.constructor.name).to.be.a("string").and.not.equal("");
      expect(error.message, error.constructor.name).to.not.contain("hint:");
      expect(error.message, error.constructor.name).to.not.contain(error.hint);
    }
  });

  it("as the protocol's errors the SDK throws too already were", () => {
    for (const error of [new MessageNotFoundError(`for ${hash}`), new NotProvableYetError(hash, 12n, 10n)]) {
      expect(error).to.be.instanceOf(RollupSdkError);
      expect(error.message).to.not.contain(error.hint);
    }
  });
});
