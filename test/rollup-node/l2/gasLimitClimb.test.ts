import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import { MIN_L2_GAS_LIMIT, nextL2GasLimit } from "../../../rollup-node/bridge/anchor";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
import { Sequencer } from "../../../rollup-node/l2/sequencer";
import { MemoryLogger } from "../../../rollup-node/logger";
import { devNodeKeys } from "../../../rollup-node/node/keys";

const CHAIN_ID = 901n;
/** A header's gas limit may differ from its parent's by less than this share of it (EXECUTE's header rule). */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;

describe("nextL2GasLimit", () => {
  it("keeps a gas limit at or above the floor, and raises one below it by the most a block may, capped at the floor", () => {
    expect(nextL2GasLimit(MIN_L2_GAS_LIMIT)).to.equal(MIN_L2_GAS_LIMIT);
    expect(nextL2GasLimit(4_000_000n)).to.equal(4_000_000n);
    const low = 1_000_000n;
    expect(nextL2GasLimit(low)).to.equal(low + low / GAS_LIMIT_BOUND_DIVISOR - 1n);
    expect(nextL2GasLimit(MIN_L2_GAS_LIMIT - 10n)).to.equal(MIN_L2_GAS_LIMIT);
  });
});

/**
 * attack-review-s27.md finding 4, the node's side: a chain whose genesis gas limit is below
 * `MIN_L2_GAS_LIMIT` (a file genesis, which skips l2Genesis's check, or a deployment by hash) is
 * accepted by L1 only while it climbs. The sequencer's blocks climb by the most EXECUTE's header
 * rule allows until the floor, and the real L1 (devnet, EXECUTE, the rollup contract) accepts each.
 */
describe("a sequencer on a genesis below the L2 gas-limit floor, against the L1 devnet", function () {
  this.timeout(300_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let sequencer: Sequencer;
  const logger = new MemoryLogger();

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "gas-limit-climb-"));
  });

  after(async () => {
    await sequencer?.close();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("climbs to the floor, each block accepted by L1, says so once in its log, then stays at the floor", async () => {
    // What genesisFile.ts builds from a file whose gas limit is below the floor: l2Genesis's
    // config with another gas limit, unchecked.
    const genesisGasLimit = MIN_L2_GAS_LIMIT - 6_000n;
    const genesis = {
      ...l2Genesis({
        chainId: CHAIN_ID,
        timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
        bridgeCode: readL2BridgeRuntimeCode(),
      }),
      gasLimit: genesisGasLimit,
    };
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger });
    expect(sequencer.chain.head.header.gasLimit).to.equal(genesisGasLimit);
    const head = sequencer.chain.head;
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: CHAIN_ID,
      genesisBlockHash: bytesToHex(head.hash()),
      genesisStateRoot: bytesToHex(head.header.stateRoot),
      genesisSupply: 0n,
      sequencer: keys.sequencer.address,
    });
    const rollup = connectRollup(deployment.address, new Wallet(keys.sequencer.privateKey, provider));

    const climb: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const parentGasLimit = sequencer.chain.head.header.gasLimit;
      const produced = await sequencer.produceBlock();
      const gasLimit = produced.block.header.gasLimit;
      climb.push(gasLimit);
      if (parentGasLimit < MIN_L2_GAS_LIMIT) {
        // The most EXECUTE's header rule allows, or the floor itself.
        const most = parentGasLimit + parentGasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
        expect(gasLimit).to.equal(most < MIN_L2_GAS_LIMIT ? most : MIN_L2_GAS_LIMIT);
      } else {
        expect(gasLimit, "at the floor the gas limit stays").to.equal(parentGasLimit);
      }
      const tx = await rollup.advance(
        produced.parentHeader,
        produced.blockRlp,
        produced.encodedWitness,
        "0x",
        produced.consumedMessages,
        { gasLimit: 2n ** 24n },
      );
      const receipt = await tx.wait();
      expect(receipt?.status, `L1 accepts block ${produced.number} (gas limit ${gasLimit})`).to.equal(1);
    }
    process.stderr.write(`      climb from ${genesisGasLimit}: ${climb.join(" → ")} (floor ${MIN_L2_GAS_LIMIT})\n`);
    expect(await rollup.headNumber()).to.equal(5n);
    expect(climb[0]).to.be.lessThan(MIN_L2_GAS_LIMIT);
    expect(climb.at(-1)).to.equal(MIN_L2_GAS_LIMIT);
    const warnings = logger.lines.filter((line) => line.level === "warn" && line.message.includes("below"));
    expect(warnings.map((line) => line.message)).to.have.lengthOf(1);
    expect(warnings[0]?.message).to.contain(`${genesisGasLimit}`).and.to.contain(`${MIN_L2_GAS_LIMIT}`);
  });
});
