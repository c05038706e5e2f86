import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import type { GenesisConfig } from "../../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { MemoryLogger } from "../../rollup-node/logger";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { GENESIS_TIME, L2_CHAIN_ID, TempDirs, common, openSequencer } from "../rollup-node/l2/l2Support";
import { TestSigner } from "../../tools/l2Fixtures";

/** A contract whose code alone is more witness than one `advance` carries (STOP, then filler). */
const HUGE = "0x00000000000000000000000000000000000b16c0";
const HUGE_CODE_BYTES = 490_000;
const TO = "0x00000000000000000000000000000000000000cc";
const ATTACKERS = 12;
const BLOCKS = 3;

const honest = TestSigner.fromSeed(0, common);
const attackers = Array.from({ length: ATTACKERS }, (_, i) => TestSigner.fromSeed(100 + i, common));

function genesis(): GenesisConfig {
  const alloc: Record<string, { balance?: bigint; code?: `0x${string}` }> = {};
  for (const signer of [honest, ...attackers]) alloc[signer.address.toString()] = { balance: 10n ** 22n };
  alloc[HUGE] = { code: `0x00${"5b".repeat(HUGE_CODE_BYTES - 1)}` };
  return l2Genesis({ chainId: L2_CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc });
}

/** Nonce 0 again each round: a dropped transaction never ran, so its sender's nonce did not move. */
function oversized(signer: TestSigner, round: number) {
  return createFeeMarket1559Tx(
    {
      chainId: L2_CHAIN_ID,
      nonce: 0n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 2n * 10n ** 9n,
      gasLimit: 50_000n + BigInt(round),
      to: HUGE,
    },
    { common },
  ).sign(signer.privateKey);
}

/**
 * Attack (mempool/sequencer, "a sender that still gates others"): block building checks at most
 * `MAX_ALONE_CHECKS_PER_BLOCK` = 4 transactions alone (rollup-node/chain/chain.ts); after the 4th
 * it builds the block from the relays only, and every other transaction waits. The pool orders by
 * sender arrival, not by fee (TxPool.ordered). So A accounts that each send one transaction too big
 * for any block (a call to a 490 KB contract, 50k gas) ahead of honest traffic make every block
 * empty for A / 4 blocks. The dropped transactions never ran: they cost nothing, their senders'
 * nonces did not move and their balances are intact, so the same accounts send them again, behind
 * the waiting traffic but ahead of everything that arrives later: every transaction that arrives
 * after them waits ≈ A / 4 blocks, for as long as the attacker keeps it up, at no cost (A up to the
 * pool's 10,000: 2,500 blocks).
 */
describe("attack: oversized transactions sent ahead of an honest one", function () {
  this.timeout(300_000);
  const dirs = new TempDirs();
  const open: Sequencer[] = [];

  after(async () => {
    for (const s of open.splice(0)) await s.close();
    dirs.removeAll();
  });

  it(`do not delay it: the honest transfer sent after ${ATTACKERS} oversized transactions is included, and none of theirs`, async () => {
    const logger = new MemoryLogger();
    const sequencer = await openSequencer(dirs.make(), { genesis: genesis(), logger });
    open.push(sequencer);
    const included: string[] = [];
    const sent: string[] = [];
    // The attackers' transactions arrive first; the honest transfer right after them.
    for (const attacker of attackers) {
      const tx = oversized(attacker, 0);
      sent.push(bytesToHex(tx.hash()));
      await sequencer.submitTransaction(tx);
    }
    const transfer = honest.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    await sequencer.submitTransaction(transfer);

    for (let round = 0; round < BLOCKS; round++) {
      const produced = await sequencer.produceBlock();
      included.push(...produced.block.transactions.map((tx) => bytesToHex(tx.hash())));
      process.stderr.write(
        logger.lines
          .splice(0)
          .map((l) => `        ${l.level} ${l.message.slice(0, 200)}\n`)
          .join(""),
      );
      process.stderr.write(
        `      block ${produced.block.header.number}: ${produced.block.transactions.length} transactions; honest transfer pending: ${sequencer.pendingTransaction(transfer.hash()) !== undefined}\n`,
      );
    }
    // The attackers paid nothing: none of their transactions ran.
    expect(included.filter((hash) => sent.includes(hash))).to.deep.equal([]);
    expect(included, "the honest transfer should be included in one of the blocks").to.include(
      bytesToHex(transfer.hash()),
    );
  });
});
