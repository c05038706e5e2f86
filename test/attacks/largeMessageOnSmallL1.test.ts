import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";

import { challengeGasCap, proposalBuildCap, proposalSendCap } from "../../rollup-node/bridge/advanceGasCap";
import { createAnchorProvider } from "../../rollup-node/bridge/anchor";
import { challengeGasBound } from "../../rollup-node/bridge/challengeBound";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { DEFAULT_L2_GAS_LIMIT, l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { AnchorProvider } from "../../rollup-node/l2/types";
import { type L1Message, hashL1Message } from "../../protocol/messages";
import { recordingLogger } from "../support/attackL1";

const CHAIN_ID = 903n;
/** The rollup's MESSAGE_DATA_SIZE_LIMIT: the largest calldata anyone may queue for L2. */
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/**
 * A private L1 between the two caps for one such message at the default 4M L2 gas limit: its
 * block's challenge bound (≈ 6.87M) is within what `propose` accepts here (G − G/32 = 6.975M) and
 * what the submitter sends (6.968M), but over the sequencer's build cap (G − G/32 twice = 6.757M).
 */
const L1_BLOCK_GAS_LIMIT = 7_200_000n;

/**
 * Attack (optimistic mode, a stranger's deposit): anyone queues an L1 → L2 message with 64 KB of
 * calldata, and the sequencer must consume it (forced inclusion: once it is overdue no block may
 * skip it). Its relay, or its deferral, which carries the same message, alone makes a block whose
 * challenge is priced above the sequencer's build cap on an L1 of 7.2M gas, though `propose`
 * would accept it. The sequencer threw for that block, and the next attempt anchored the same
 * message: the L2 stopped for good. A block that holds only the required relays must be built
 * within what the contract accepts (the submitter's send cap), not refused.
 */
describe("attack: one L1 message at the size limit on an optimistic rollup whose L1 holds 7.2M gas", function () {
  this.timeout(300_000);
  const relayer = Wallet.createRandom();
  const lines: string[] = [];
  let dir: string;
  let sequencer: Sequencer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "large-message-small-l1-"));
    const genesis = l2Genesis({
      chainId: CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      gasLimit: DEFAULT_L2_GAS_LIMIT,
      alloc: { [relayer.address]: { balance: 10n ** 21n } },
    });
    const message: L1Message = {
      nonce: 0n,
      from: Wallet.createRandom().address,
      to: Wallet.createRandom().address,
      value: 0n,
      gasLimit: 50_000n,
      data: hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT)),
    };
    const queue: QueuedL1Message[] = [
      { message, hash: hashL1Message(message), l1BlockNumber: 1, l1TransactionHash: `0x${"00".repeat(32)}` },
    ];
    let anchor: AnchorProvider | undefined;
    // Wired as rollupNode.ts wires the node's sequencer in optimistic mode, with the caps of this L1.
    sequencer = await Sequencer.open({
      dataDir: dir,
      genesis,
      logger: recordingLogger(lines),
      proposable: true,
      proposalCap: () => proposalBuildCap(L1_BLOCK_GAS_LIMIT),
      proposalRelayCap: () => proposalSendCap(L1_BLOCK_GAS_LIMIT),
      anchorProvider: (context) => (anchor as AnchorProvider)(context),
    });
    anchor = createAnchorProvider({
      messages: { consecutiveFrom: (nonce, max) => queue.slice(Number(nonce), Number(nonce) + max) },
      sequencer,
      relayerKey: relayer.privateKey as `0x${string}`,
      logger: recordingLogger(lines),
    });
  });

  after(async () => {
    await sequencer?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("consumes it in a block whose proposal the contract accepts and whose challenge fits this L1's blocks", async () => {
    let produced: Awaited<ReturnType<Sequencer["produceBlock"]>> | undefined;
    try {
      produced = await sequencer.produceBlock();
    } finally {
      process.stderr.write(`      sequencer log:\n${lines.map((l) => `        ${l.slice(0, 400)}`).join("\n")}\n`);
    }
    expect(produced.consumedMessages).to.equal(1);
    const bytes = produced.parentHeader.length + produced.blockRlp.length + produced.encodedWitness.length;
    const bound = challengeGasBound(bytes, produced.block.header.gasLimit);
    process.stderr.write(
      `      L2 block ${produced.number}: ${bytes} B committed, challenge bound ${bound}; build cap ${proposalBuildCap(L1_BLOCK_GAS_LIMIT)}, send cap ${proposalSendCap(L1_BLOCK_GAS_LIMIT)}, contract cap ${challengeGasCap(L1_BLOCK_GAS_LIMIT)}\n`,
    );
    // The attack's premise: the message alone is over the build cap on this L1.
    expect(bound).to.be.greaterThan(proposalBuildCap(L1_BLOCK_GAS_LIMIT));
    // Proposable now (the submitter sends within its send cap, the contract accepts within its cap).
    expect(bound).to.be.at.most(proposalSendCap(L1_BLOCK_GAS_LIMIT));
    expect(bound).to.be.at.most(challengeGasCap(L1_BLOCK_GAS_LIMIT));
    // The chain goes on.
    const next = await sequencer.produceBlock();
    expect(next.number).to.equal(produced.number + 1n);
  });
});
