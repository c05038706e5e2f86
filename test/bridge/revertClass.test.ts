import { expect } from "chai";
import { MaxUint256, ZeroHash } from "ethers";

import { ExecuteErrorCode } from "../../precompiles/errors";
import {
  EXECUTE_ERROR_INTERFACE,
  EXECUTOR_FAILURE_INTERFACE,
  OPTIMISTIC_ROLLUP_INTERFACE,
  decodeRollupRevert,
} from "../../rollup-node/bridge/contracts";
import { type RevertClass, type RollupErrorName, classifyRevert } from "../../rollup-node/bridge/revertClass";

const ONE = `0x${"11".repeat(32)}`;
const SOMEONE = "0x00000000000000000000000000000000000000aa";

/** One row: a revert as the contract encodes it, whether the block went on proofs, and its class. */
interface Row {
  readonly error: RollupErrorName;
  readonly data: string;
  readonly proven?: boolean;
  readonly expected: RevertClass;
}

const rollup = (name: RollupErrorName, args: readonly unknown[]): string =>
  OPTIMISTIC_ROLLUP_INTERFACE.encodeErrorResult(name, args);
const execute = (code: number): string => EXECUTE_ERROR_INTERFACE.encodeErrorResult("ExecuteInvalid", [code, "why"]);

const TABLE: readonly Row[] = [
  {
    error: "ParentNotHead",
    data: rollup("ParentNotHead", [ONE, ZeroHash]),
    expected: { kind: "transient", cause: "moved-on" },
  },
  {
    error: "ParentNotTip",
    data: rollup("ParentNotTip", [ONE, ZeroHash]),
    expected: { kind: "transient", cause: "moved-on" },
  },
  {
    error: "UnexpectedBlockNumber",
    data: rollup("UnexpectedBlockNumber", [3, 2]),
    expected: { kind: "transient", cause: "moved-on" },
  },
  {
    error: "ProvisionalBlocksPending",
    data: rollup("ProvisionalBlocksPending", [1]),
    expected: { kind: "transient", cause: "moved-on" },
  },
  {
    error: "MessageCountExceedsQueue",
    data: rollup("MessageCountExceedsQueue", [2, 1]),
    expected: { kind: "transient", cause: "l1-behind" },
  },
  {
    error: "BlockFromFuture",
    data: rollup("BlockFromFuture", [10, 9]),
    expected: { kind: "transient", cause: "not-yet" },
  },
  {
    error: "NotSequencer",
    data: rollup("NotSequencer", [SOMEONE, 1_000n]),
    expected: { kind: "transient", cause: "not-yet" },
  },
  {
    error: "NotSequencer",
    data: rollup("NotSequencer", [SOMEONE, MaxUint256]),
    expected: { kind: "halt", code: "NOT_SEQUENCER" },
  },
  {
    error: "OverdueMessageSkipped",
    data: rollup("OverdueMessageSkipped", [0, 1_700_000_000]),
    expected: { kind: "rebuild" },
  },
  {
    error: "OverdueMessageLeft",
    data: rollup("OverdueMessageLeft", [8, 327_347, 94_011]),
    expected: { kind: "rebuild" },
  },
  { error: "AnchorMismatch", data: rollup("AnchorMismatch", [ONE, ZeroHash]), expected: { kind: "rebuild" } },
  {
    error: "ExecuteUnavailable",
    data: EXECUTOR_FAILURE_INTERFACE.encodeErrorResult("ExecuteUnavailable", []),
    expected: { kind: "halt", code: "NO_EXECUTE" },
  },
  {
    error: "ExecuteMalformedResult",
    data: EXECUTOR_FAILURE_INTERFACE.encodeErrorResult("ExecuteMalformedResult", [3]),
    expected: { kind: "halt", code: "NO_EXECUTE" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.OutOfGas),
    expected: { kind: "transient", cause: "execute-retry" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.SimulationTimeout),
    expected: { kind: "transient", cause: "execute-retry" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.StateRootMismatch),
    expected: { kind: "halt", code: "BLOCK_REJECTED" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.WitnessIncomplete),
    expected: { kind: "halt", code: "BLOCK_REJECTED" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.WitnessIncomplete),
    proven: true,
    expected: { kind: "proof-shortfall" },
  },
  {
    error: "ExecuteInvalid",
    data: execute(ExecuteErrorCode.ProofsInsufficient),
    proven: true,
    expected: { kind: "proof-shortfall" },
  },
  {
    error: "GasLimitTooHigh",
    data: rollup("GasLimitTooHigh", [2n ** 40n, 30_000_000n]),
    expected: { kind: "halt", code: "BLOCK_REJECTED" },
  },
  { error: "RelayMissing", data: rollup("RelayMissing", [0, 1]), expected: { kind: "halt", code: "BLOCK_REJECTED" } },
  {
    error: "ProposalTooLarge",
    data: rollup("ProposalTooLarge", [2, 1]),
    expected: { kind: "halt", code: "BLOCK_REJECTED" },
  },
];

describe("the submitter's revert classes: each contract error as the contract encodes it → transient, rebuild, proof shortfall or halt with its code", () => {
  for (const row of TABLE) {
    const shown = decodeRollupRevert(row.data)?.text ?? row.error;
    it(`${shown}${row.proven === true ? " (sent on proofs)" : ""} → ${JSON.stringify(row.expected)}`, () => {
      const decoded = decodeRollupRevert(row.data);
      expect(decoded?.name).to.equal(row.error);
      expect(classifyRevert(decoded as NonNullable<typeof decoded>, row.proven === true)).to.deep.equal(row.expected);
    });
  }

  it("names only errors the contracts declare (a renamed Solidity error fails to compile)", () => {
    // @ts-expect-error not an error of the rollups' or Execute.sol's ABIs
    const renamed: RollupErrorName = "ParentIsNotHead";
    expect(OPTIMISTIC_ROLLUP_INTERFACE.getError(renamed)).to.equal(null);
  });
});
