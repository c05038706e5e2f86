import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createTxFromRLP } from "@ethereumjs/tx";
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../deploy/rollup";
import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { connectRollup } from "../../rollup-node/bridge/contracts";
import { rollupStatus } from "../../rollup-node/bridge/status";
import type { GenesisAccount } from "../../rollup-node/chain/genesis";
import { genesisCommitments } from "../../rollup-node/devnet/rollupDevnet";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { genesisSupply, l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { createLineLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { type RollupNode, startRollupNode } from "../../rollup-node/node/rollupNode";

const L2_CHAIN_ID = 779n;
/** A private L1's block gas limit, below EIP-7825's 2^24 per-transaction cap. */
const L1_BLOCK_GAS_LIMIT = 8_000_000n;
/**
 * Three L2 contracts of 90 KB code each: a call to each puts its code in the witness. All three
 * in one block need ≈ 10M L1 gas to advance (within 2^24, over the L1's 8M); two need ≈ 6.5M.
 */
const BIG_CODE_BYTES = 90_000;
const BIG = [
  "0x00000000000000000000000000000000000b1601",
  "0x00000000000000000000000000000000000b1602",
  "0x00000000000000000000000000000000000b1603",
];

/**
 * The block budget and the submitter's gas limit are capped by what the L1 can include: the
 * lower of EIP-7825's 2^24 and the L1's block gas limit (less a margin), read from L1. On an L1
 * whose block gas limit is below 2^24 a block the budget admits must still fit an L1 block, or no
 * `advance` can ever carry it and L1 acceptance stops there (docs/design/advance-gas-cap.md).
 */
describe("advance gas cap on an L1 whose block gas limit is below 2^24", function () {
  // Blocks of ≈ 270 KB of witness, re-executed by the in-process L1: slow on a loaded machine.
  this.timeout(600_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let node: RollupNode;
  let rollupAddress: string;
  const lines: string[] = [];

  before(async () => {
    l1 = await startL1Devnet({
      port: 0,
      gasLimit: L1_BLOCK_GAS_LIMIT,
      alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } },
    });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "advance-l1-gas-limit-"));
    const alloc: Record<string, GenesisAccount> = {};
    for (const account of [...l1.accounts, keys.relayer]) alloc[account.address] = { balance: account.balance };
    // Code that starts with STOP: a call succeeds at once, and the witness carries all of it
    // (a different filler each: the witness holds a code once per hash).
    for (const [i, address] of BIG.entries())
      alloc[address] = { code: `0x00${(0x5b + i).toString(16).repeat(BIG_CODE_BYTES - 1)}` };
    const genesis = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc,
    });
    const commitments = await genesisCommitments(genesis);
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: commitments.hash,
      genesisStateRoot: commitments.stateRoot,
      sequencer: keys.sequencer.address,
      genesisSupply: genesisSupply(genesis),
    });
    rollupAddress = deployment.address;
    node = await startRollupNode({
      storage: { dataDir: dir },
      l1: { provider, rollupAddress, deployBlock: deployment.deployBlock, pollMs: 50 },
      sequencer: { genesis, produce: false },
      submitter: { retry: { initialDelayMs: 20, maxDelayMs: 200 } },
      keys,
      rpc: false,
      dashboard: false,
      logger: (component) => createLineLogger(component, (line) => lines.push(line)),
    });
  });

  after(async () => {
    await node?.stop();
    provider?.destroy();
    await l1?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** One call of each BIG contract, from dev accounts 1-3 with `nonce`. */
  async function callEach(nonce: number): Promise<void> {
    const common = node.sequencer.chain.common;
    for (const [i, to] of BIG.entries()) {
      const sender = new Wallet(l1.accounts[i + 1]?.privateKey as string);
      const raw = await sender.signTransaction({
        chainId: L2_CHAIN_ID,
        nonce,
        type: 2,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0n,
        gasLimit: 100_000n,
        to,
      });
      await node.sequencer.submitTransaction(createTxFromRLP(hexToBytes(raw as `0x${string}`), { common }));
    }
  }

  async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("builds only blocks whose advance fits the L1's block gas limit, and L1 accepts every one", async () => {
    await callEach(0);
    // Blocks until the pool is empty: each holds what one advance within the L1's limit carries.
    let last = await node.sequencer.produceBlock();
    let included = last.block.transactions.length;
    while (included < BIG.length && last.number < 10n) {
      last = await node.sequencer.produceBlock();
      included += last.block.transactions.length;
    }
    expect(included).to.equal(BIG.length, "every call is included in some block");
    try {
      await node.bridge.submitter?.waitForAccepted(last.number, 60_000);
    } catch (error) {
      const tail = lines.filter((l) => l.includes("submitter")).slice(-3);
      throw new Error(`${(error as Error).message}; the submitter's last lines: ${tail.join(" | ")}`);
    }
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(last.number);
    for (const accepted of node.bridge.submitter?.accepted ?? []) {
      process.stderr.write(
        `      L2 block ${accepted.number}: ${accepted.transactions} txs, witness ${accepted.witnessBytes} B, advance used ${accepted.l1GasUsed} L1 gas\n`,
      );
      expect(accepted.l1GasUsed <= L1_BLOCK_GAS_LIMIT).to.equal(true);
    }
  });

  // A block built while the L1's blocks held 2^24 gas, sent after its block gas limit fell to 8M:
  // its advance (≈ 10M) no longer fits any L1 block.
  let stale: bigint;

  it("a node that cannot rebuild waits on a block whose advance no longer fits the L1's block gas limit, and says so in rollup_status", async () => {
    const nodeSubmitter = node.bridge.submitter as BatchSubmitter;
    await nodeSubmitter.stop();
    const cap = node.bridge.advanceGasCap as { limits: () => { cap: bigint; policyKeys: number } };
    cap.limits = () => ({ cap: 2n ** 24n, policyKeys: 0 });
    await callEach(1);
    const built = await node.sequencer.produceBlock();
    Reflect.deleteProperty(cap, "limits");
    expect(built.block.transactions).to.have.length(BIG.length, "built as if the L1 held 2^24 gas");
    stale = built.number;

    const submitter = new BatchSubmitter({
      sequencer: node.sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: createLineLogger("own-submitter", (line) => lines.push(line)),
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      advanceGasCap: node.bridge.advanceGasCap,
    });
    submitter.start();
    try {
      await until(
        () => submitter.waitReason !== undefined || submitter.haltReason !== undefined,
        "the submitter to wait",
      );
      expect(submitter.haltReason).to.equal(undefined);
      expect(submitter.waitReason?.code).to.equal("ADVANCE_OVER_L1_GAS_LIMIT");
      const status = await rollupStatus({
        sequencer: node.sequencer,
        rollup: connectRollup(rollupAddress, provider),
        rollupAddress,
        l1Provider: provider,
        submitter,
      });
      expect(status.submitter).to.equal("waiting");
      expect(status.submitterErrorCode).to.equal("ADVANCE_OVER_L1_GAS_LIMIT");
      expect(status.submitterError).to.include(`L2 block ${stale}`);
      expect(status.submitterHint).to.include("rebuilds the block");
      expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(stale - 1n, "nothing was sent");
    } finally {
      await submitter.stop();
    }
  });

  it("the node rebuilds such a block within the L1's limit, and L1 accepts every block", async () => {
    const nodeSubmitter = node.bridge.submitter as BatchSubmitter;
    nodeSubmitter.start();
    // The submitter drops the block (its transactions back to the pool) to build it again.
    await until(() => node.sequencer.chain.headNumber < stale, "the stale block to be dropped");
    expect(lines.some((l) => l.includes("ADVANCE_OVER_L1_GAS_LIMIT") && l.includes("[submitter]"))).to.equal(true);
    let last = await node.sequencer.produceBlock();
    let included = last.block.transactions.length;
    while (included < BIG.length && last.number < stale + 10n) {
      last = await node.sequencer.produceBlock();
      included += last.block.transactions.length;
    }
    expect(included).to.equal(BIG.length, "every call is included again");
    expect(last.number > stale).to.equal(true, "spread over more blocks than before");
    await nodeSubmitter.waitForAccepted(last.number, 60_000);
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(last.number);
    expect(nodeSubmitter.haltReason).to.equal(undefined);
  });
});
