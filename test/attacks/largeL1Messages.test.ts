import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";

import { createAnchorProvider } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { createChainCommon } from "../../rollup-node/chain/genesis";
import { advanceBudgetExcess } from "../../rollup-node/l2/advanceBudget";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { silentLogger } from "../../rollup-node/logger";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { AnchorProvider } from "../../rollup-node/l2/types";
import { type L1Message, hashL1Message } from "../../protocol/messages";

const CHAIN_ID = 902n;
/** The rollup's MESSAGE_DATA_SIZE_LIMIT: the largest calldata anyone may queue for L2. */
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
const MESSAGES = 8;

/**
 * A third party's path into the block budget: L1 messages are permissionless (anyone queues them,
 * each with up to 64 KB of calldata) and the sequencer must consume them (forced inclusion). The
 * relays (or their deferrals, which carry the same message) of a handful of 64 KB messages are
 * more than one `advance` carries, so the sequencer must consume fewer per block; a block it cannot
 * build at all stops the L2 for good, since the next block anchors the same messages.
 */
describe("L1 messages at the size limit (a stranger's deposits)", function () {
  this.timeout(300_000);
  const relayer = Wallet.createRandom();
  let dir: string;
  let sequencer: Sequencer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "large-messages-"));
    const genesis = l2Genesis({
      chainId: CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      // A rollup that raises its L2 gas limit: the relays of 5 such messages fit one L2 block (14.4M of relay gas).
      gasLimit: 16_000_000n,
      alloc: { [relayer.address]: { balance: 10n ** 21n } },
    });
    const queue: QueuedL1Message[] = Array.from({ length: MESSAGES }, (_, i) => {
      const message: L1Message = {
        nonce: BigInt(i),
        from: Wallet.createRandom().address,
        to: Wallet.createRandom().address,
        value: 0n,
        gasLimit: 50_000n,
        data: hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT)),
      };
      return { message, hash: hashL1Message(message), l1BlockNumber: 1, l1TransactionHash: `0x${"00".repeat(32)}` };
    });
    // The sequencer asks its anchor of the provider made over it, as BridgeService.attach does.
    let anchor: AnchorProvider | undefined;
    sequencer = await Sequencer.open({
      dataDir: dir,
      genesis,
      logger: silentLogger,
      anchorProvider: (context) => (anchor as AnchorProvider)(context),
    });
    anchor = createAnchorProvider({
      messages: { consecutiveFrom: (nonce, max) => queue.slice(Number(nonce), Number(nonce) + max) },
      sequencer,
      relayerKey: relayer.privateKey as `0x${string}`,
      logger: silentLogger,
    });
  });

  after(async () => {
    await sequencer?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("consumes them over several blocks, each within one advance, and never stops building", async () => {
    const common = createChainCommon(CHAIN_ID);
    let consumed = 0;
    const perBlock: number[] = [];
    while (consumed < MESSAGES && perBlock.length < MESSAGES) {
      const produced = await sequencer.produceBlock();
      perBlock.push(produced.consumedMessages);
      consumed += produced.consumedMessages;
      const excess = advanceBudgetExcess(
        {
          parentHeader: produced.parentHeader,
          block: produced.blockRlp,
          witness: produced.encodedWitness,
          consumedMessages: produced.consumedMessages,
        },
        common,
      );
      expect(excess, `L2 block ${produced.number}`).to.equal(undefined);
    }
    process.stderr.write(`      messages consumed per block: ${perBlock.join(", ")}\n`);
    expect(consumed).to.equal(MESSAGES);
  });
});
