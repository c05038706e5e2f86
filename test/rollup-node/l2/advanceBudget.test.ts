import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { advanceGasLimit } from "../../../rollup-node/bridge/advanceGas";
import {
  ADVANCE_CONTRACT_GAS,
  advanceBudgetExcess,
  advanceCalldata,
  advanceGas,
  advanceWitnessCapacity,
} from "../../../rollup-node/l2/advanceBudget";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
import { silentLogger } from "../../../rollup-node/logger";
import { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { ProducedBlock } from "../../../rollup-node/l2/types";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { TestSigner } from "../../../tools/l2Fixtures";
import { executeGasCost, executeInputLength } from "../../../precompiles";
import { common } from "./l2Support";

const CHAIN_ID = 901n;
/** A contract whose code fills most of what one advance carries (STOP, then JUMPDESTs). */
const BIG = "0x00000000000000000000000000000000000b16c0";

/**
 * The bound of advanceBudget.ts against the real thing: `advance` on the L1 devnet (real EXECUTE,
 * real rollup contract) of an empty block and of a block whose witness is close to the capacity.
 */
describe("advance budget against the L1 devnet", function () {
  this.timeout(300_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let sequencer: Sequencer;
  let rollupAddress: string;
  const user = TestSigner.fromSeed(7, common);
  // Leave room for the block body, the state proofs and the headers next to the code (≈ 2.2 KB):
  // the block lands within a few hundred bytes of the capacity, where execution, not the
  // calldata floor, is the larger cost.
  const codeBytes = advanceWitnessCapacity(common) - 3_000;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "advance-budget-"));
    const genesis = l2Genesis({
      chainId: CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: {
        [user.address.toString()]: { balance: 10n ** 20n },
        [BIG]: { code: `0x00${"5b".repeat(codeBytes - 1)}` },
      },
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    const head = sequencer.chain.head;
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: CHAIN_ID,
      genesisBlockHash: bytesToHex(head.hash()),
      genesisStateRoot: bytesToHex(head.header.stateRoot),
      genesisSupply: 0n, // unbacked on purpose: this test never withdraws genesis funds
      sequencer: keys.sequencer.address,
    });
    rollupAddress = deployment.address;
  });

  after(async () => {
    await sequencer.close();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function advance(produced: ProducedBlock): Promise<bigint> {
    const rollup = connectRollup(rollupAddress, new Wallet(keys.sequencer.privateKey, provider));
    const tx = await rollup.advance(
      produced.parentHeader,
      produced.blockRlp,
      produced.encodedWitness,
      "0x",
      produced.consumedMessages,
      { gasLimit: 2n ** 24n },
    );
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    return receipt!.gasUsed;
  }

  const payload = (p: ProducedBlock) => ({
    parentHeader: p.parentHeader,
    block: p.blockRlp,
    witness: p.encodedWitness,
    consumedMessages: p.consumedMessages,
  });

  it("bounds the L1 gas of an empty block's advance, with the contract's own work within ADVANCE_CONTRACT_GAS", async () => {
    const produced = await sequencer.produceBlock();
    const used = await advance(produced);
    const bound = advanceGas(payload(produced), common);
    // The bound's other parts (intrinsic gas, EXECUTE with the 63/64 reserve, memory, copies)
    // over-count slightly, so this is at most the contract's own work.
    const contractWork = used - (bound.gas - ADVANCE_CONTRACT_GAS);
    process.stderr.write(
      `      empty block: advance used ${used} L1 gas, bound ${bound.gas}; the contract's own work at most ${contractWork} gas\n`,
    );
    expect(used <= bound.gas).to.equal(true, `used ${used} > bound ${bound.gas}`);
    expect(contractWork * 2n <= ADVANCE_CONTRACT_GAS).to.equal(
      true,
      "ADVANCE_CONTRACT_GAS keeps a factor of two over the measured work",
    );
  });

  it("a block that the budget lets through near its capacity is accepted by one advance on L1", async () => {
    await sequencer.submitTransaction(user.tx({ to: BIG, gasLimit: 50_000n }));
    const produced = await sequencer.produceBlock();
    expect(produced.block.transactions).to.have.length(1, "the budget admits the block");
    expect(advanceBudgetExcess(payload(produced), common)).to.equal(undefined);
    const bound = advanceGas(payload(produced), common);
    const used = await advance(produced);
    process.stderr.write(
      `      witness ${produced.encodedWitness.length} B: advance used ${used} L1 gas, bound ${bound.gas} (calldata floor ${bound.calldataFloorGas}), cap ${bound.cap}\n`,
    );
    expect(used <= bound.gas).to.equal(true, `used ${used} > bound ${bound.gas}`);
  });
});

/**
 * The sequencer's budget against the submitter's derived limit (bridge/advanceGas.ts): a block the
 * budget admits must get an advance limit within EIP-7825's cap, or the submitter sends it at the
 * cap, below what the derivation says it may need (its per-message work is measured at ≈ 31k gas,
 * the relays hashed and copied besides): a stranger's deposits consumed by a block filled near the
 * budget would make an advance no L1 transaction can carry, and the chain stops there.
 */
describe("advance budget against the submitter's derived gas limit", () => {
  it("admits no block whose derived advance limit exceeds the cap, however many L1 messages it consumes and whoever sends it", () => {
    const parentHeader = new Uint8Array(620).fill(0xff);
    for (const consumedMessages of [0, 1, 8, 64]) {
      for (const blockBytes of [1_000, 60_000, 200_000]) {
        const witnessBytes = advanceWitnessCapacity(common, blockBytes, consumedMessages);
        const payload = {
          parentHeader,
          block: new Uint8Array(blockBytes).fill(0xff),
          witness: new Uint8Array(witnessBytes).fill(0xff),
          consumedMessages,
        };
        const { cap } = advanceGas(payload, common);
        const inputLength = executeInputLength({ ...payload, proofs: new Uint8Array() });
        const derived = advanceGasLimit(
          {
            calldata: advanceCalldata(payload),
            executeGas: executeGasCost(inputLength, 0n),
            executeInputLength: inputLength,
            blockLength: blockBytes,
            proofBundleLength: 0,
            consumedMessages,
            policyKeys: 0,
            // The submitter's key may be an EIP-7702 account: the rollup then logs the block.
            logsBlock: true,
          },
          2n ** 64n,
        );
        expect(derived <= cap).to.equal(
          true,
          `${consumedMessages} messages, block ${blockBytes} B, witness ${witnessBytes} B: derived ${derived} > cap ${cap}`,
        );
      }
    }
  });
});

/**
 * The contract reads the rollup's proof policy on every `advance` (ADVANCE_GAS_PER_POLICY_KEY per
 * accepted key), so the budget must count the rollup's keys: a block filled to a budget that
 * counted none, consuming 64 messages, derives a limit over the cap once the policy lists 20 keys.
 */
describe("advance budget with the rollup's proof policy", () => {
  it("admits no block whose derived advance limit exceeds the cap for the rollup's policy keys (64 messages, 20 keys)", () => {
    const parentHeader = new Uint8Array(620).fill(0xff);
    const policyKeys = 20;
    const consumedMessages = 64;
    for (const blockBytes of [1_000, 60_000, 200_000]) {
      const witnessBytes = advanceWitnessCapacity(common, blockBytes, consumedMessages, undefined, 0n, {
        policyKeys,
      });
      const payload = {
        parentHeader,
        block: new Uint8Array(blockBytes).fill(0xff),
        witness: new Uint8Array(witnessBytes).fill(0xff),
        consumedMessages,
      };
      const { cap } = advanceGas(payload, common, undefined, 0n, { policyKeys });
      const inputLength = executeInputLength({ ...payload, proofs: new Uint8Array() });
      const derived = advanceGasLimit(
        {
          calldata: advanceCalldata(payload),
          executeGas: executeGasCost(inputLength, 0n),
          executeInputLength: inputLength,
          blockLength: blockBytes,
          proofBundleLength: 0,
          consumedMessages,
          policyKeys,
          logsBlock: true,
        },
        2n ** 64n,
      );
      process.stderr.write(
        `      ${consumedMessages} messages, ${policyKeys} keys, block ${blockBytes} B, witness ${witnessBytes} B: derived ${derived}, cap ${cap}\n`,
      );
      expect(derived <= cap).to.equal(true, `derived ${derived} > cap ${cap}`);
    }
  });
});
