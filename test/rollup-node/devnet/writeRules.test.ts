import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { dataSlice, hexlify } from "ethers";

import {
  EXECUTE_ADDRESS,
  ExecuteErrorCode,
  type WriteRules,
  createExecutePrecompile,
  decodeExecuteInvalid,
} from "../../../precompiles";
import { silentLogger } from "../../../rollup-node/logger";
import { startRollupNode } from "../../../rollup-node/node/rollupNode";
import { blockExecuteCall, callExecute } from "../../../tools/executeCall";
import type { BuiltBlock } from "../../../tools/l2TestChain";
import {
  COUNTER_EXAMPLE_SETTERS,
  counterExampleChain,
  counterExampleData,
} from "../../../tools/writeRuleCounterExample";
import { type E2eRollup, startE2eRollup } from "../../e2e/support/harness";

const L2_CHAIN_ID = 918n;
/** Per block at genesis, write-through from block 1: block 1 is recorded and verified write-through. */
const SCHEDULE: WriteRules = [
  { rule: "per-block", block: 0n },
  { rule: "write-through", block: 1n },
];

/** What EXECUTE at 0x…0101 of the L1 behind `r` answers for `built` (an eth_call, as `advance` would call it). */
async function l1Verdict(r: E2eRollup, built: BuiltBlock): Promise<string> {
  const { data, gasLimit } = blockExecuteCall(built, L2_CHAIN_ID, createExecutePrecompile());
  try {
    const output = await r.l1.call({ to: EXECUTE_ADDRESS, data: hexlify(data), gasLimit: gasLimit + 100_000n });
    return dataSlice(output, 0, 32) === bytesToHex(built.block.hash()) ? "valid" : `answered ${output}`;
  } catch (error) {
    const revert = (error as { data?: string }).data;
    const invalid = revert === undefined ? undefined : decodeExecuteInvalid(Buffer.from(revert.slice(2), "hex"));
    return invalid === undefined ? `failed: ${(error as Error).message}` : `invalid ${invalid.code}: ${invalid.reason}`;
  }
}

/**
 * A devnet started for an L2 whose genesis schedules EXECUTE's write rules (consensus-rules.md §5)
 * gives them to its L1's EXECUTE, for that chain id: a block recorded write-through is valid on the
 * devnet's L1 as its own node and challenger find it (attack-review-s25 finding 3). The L1 reports
 * the rules it applies, and a node given others refuses to start (docs/design/write-rule-agreement.md).
 */
describe("devnet: the L2 genesis's write rules reach the L1's EXECUTE", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let built: BuiltBlock;

  before(async () => {
    r = await startE2eRollup({
      l2ChainId: L2_CHAIN_ID,
      l2WriteRules: SCHEDULE,
      produceBlocks: false,
      submitBlocks: false,
    });
    const { chain, alice, slots } = await counterExampleChain(L2_CHAIN_ID);
    built = await chain.buildBlock([alice.tx({ to: COUNTER_EXAMPLE_SETTERS[0], data: counterExampleData(slots) })], {
      writes: SCHEDULE,
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("accepts block 1 recorded write-through, as the schedule says, through EXECUTE at 0x…0101 of the devnet's L1", async () => {
    expect(built.block.header.number).to.equal(1n);
    expect(await l1Verdict(r, built)).to.equal("valid");
  });

  it("is the block the default rule refuses: its write-through witness is WitnessIncomplete per block", async () => {
    // The same call on an EXECUTE given no schedule (what the devnet's L1 was before).
    const { data, gasLimit } = blockExecuteCall(built, L2_CHAIN_ID, createExecutePrecompile());
    const result = await callExecute(createExecutePrecompile(), data, { gasLimit });
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.WitnessIncomplete);
  });

  it("reports the rules its EXECUTE applies per chain over devnet_executeWriteRules, and records them with the deployment", async () => {
    expect(await r.l1.send("devnet_executeWriteRules", [`0x${L2_CHAIN_ID.toString(16)}`])).to.deep.equal([
      { rule: "per-block", block: "0x0" },
      { rule: "write-through", block: "0x1" },
    ]);
    expect(await r.l1.send("devnet_executeWriteRules", [`0x${(L2_CHAIN_ID + 1n).toString(16)}`])).to.equal("per-block");
    expect(r.devnet.deployment.l2WriteRules).to.deep.equal([
      { rule: "per-block", block: "0x0" },
      { rule: "write-through", block: "0x1" },
    ]);
  });

  it("a node whose genesis declares other write rules than the L1's EXECUTE refuses to start: WRITE_RULES_MISMATCH naming both", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "write-rules-node-"));
    try {
      const started = await startRollupNode({
        storage: { dataDir, reset: true },
        l1: {
          provider: r.l1,
          rollupAddress: r.devnet.deployment.address,
          deployBlock: r.devnet.deployment.deployBlock,
        },
        sequencer: { genesis: { ...r.devnet.genesis, writeRules: "per-block" }, produce: false },
        keys: r.devnet.keys,
        rpc: false,
        logger: () => silentLogger,
      }).then(
        async (node) => {
          await node.stop();
          return undefined;
        },
        (error: unknown) => error as Error & { code?: string; hint?: string },
      );
      expect(started, "the node started under other write rules than the L1's").to.not.equal(undefined);
      expect(started?.code, started?.message).to.equal("WRITE_RULES_MISMATCH");
      expect(started?.message).to.contain("the node's genesis declares write rules per-block");
      expect(started?.message).to.contain(
        "the L1's EXECUTE applies per-block from block 0, write-through from block 1",
      );
      expect(started?.hint).to.contain("same genesis file's config.writeRules");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
