import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { ExecuteError, type VerifierWrites, type Witness, encodeWitness, verifyBlock } from "../../../precompiles";
import { Chain } from "../../../rollup-node/chain/chain";
import type { GenesisAccount } from "../../../rollup-node/chain/genesis";
import type { MinedBlock } from "../../../rollup-node/chain/types";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import { Rng } from "../../../tools/executeFuzz";
import { recaptureWitness } from "../../support/recaptureWitness";
import {
  STORE_ADDRESS,
  STORE_AND_LOG_CODE,
  STORE_AND_LOG_INITCODE,
  SETTER_ADDRESS,
  SETTER_CODE,
  TestSigner,
  randomSlotWrite,
  randomWritingTx,
  slotWritesCall,
  word,
} from "../../../tools/l2Fixtures";

/**
 * Differential test of EXECUTE's two write paths through the node's own witness recorder: random
 * blocks mined by the node's Chain, each witness captured by captureWitness for per-block writes
 * (what the node ships) and for write-through (the baseline), each verified by verifyBlock in its
 * mode. Same verdict and root in both; the witness sizes are printed (per block they may differ
 * either way: a deletion's collapse reads a sibling in one order and not in the other).
 */

const CHAIN_ID = 915n;
const GENESIS_TIME = 1_800_000_000n;
/** Calls the setter with its own calldata, then REVERTs: every write it made is dropped. */
const REVERTING_CALLER = "0x00000000000000000000000000000000005e7707";
const REVERTING_CALLER_CODE = `0x3660006000376000600036600060007300${SETTER_ADDRESS.slice(4)}5af15060006000fd`;

async function verdict(mined: MinedBlock, chain: Chain, witness: Witness, writes: VerifierWrites): Promise<string> {
  const block = mined.record.block;
  const parent = chain.resolveBlock(block.header.number - 1n).block;
  try {
    const result = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: parent.header.serialize(),
      block: block.serialize(),
      witness: encodeWitness(witness),
      writes,
    });
    return `valid ${bytesToHex(result.blockHash)} ${bytesToHex(result.stateRoot)}`;
  } catch (error) {
    if (error instanceof ExecuteError) return `invalid ${error.code}: ${error.message}`;
    throw error;
  }
}

describe("the node's witness capture, per block and write-through, on random blocks", function () {
  this.timeout(300_000);

  it("gives the same verdicts and roots in both modes (witness sizes printed)", async () => {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    });
    const signers = [0, 1, 2, 3].map((seed) => TestSigner.fromSeed(40 + seed, probe.common));
    const storage: Record<string, `0x${string}`> = {};
    for (let slot = 1; slot <= 24; slot++) storage[`0x${word(slot)}`] = `0x${word(slot * 7)}`;
    const alloc: Record<string, GenesisAccount> = {
      [STORE_ADDRESS]: { nonce: 1n, code: STORE_AND_LOG_CODE as `0x${string}`, storage },
      [SETTER_ADDRESS]: { nonce: 1n, code: SETTER_CODE as `0x${string}`, storage },
      [REVERTING_CALLER]: { nonce: 1n, code: REVERTING_CALLER_CODE as `0x${string}` },
    };
    for (const signer of signers) alloc[signer.address.toString()] = { balance: 10n ** 21n };
    const chain = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00", alloc }),
    });
    const rng = new Rng(20261128);
    const more = [
      // Writes through the setter, then REVERTs: every write is dropped.
      (signer: TestSigner) => {
        const writes = Array.from({ length: 1 + rng.int(4) }, () => randomSlotWrite(rng));
        return signer.tx({ to: REVERTING_CALLER, data: slotWritesCall(writes), gasLimit: 300_000n });
      },
      (signer: TestSigner) => signer.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n }),
    ];
    const randomTx = (): TypedTransaction => randomWritingTx(rng, signers, 30, more);
    let time = GENESIS_TIME;
    const sizes: string[] = [];
    let perBlockTotal = 0;
    let writeThroughTotal = 0;
    for (let n = 0; n < 12; n++) {
      time += 12n;
      const txs = Array.from({ length: 1 + rng.int(8) }, randomTx);
      const mined = await chain.mineBlock(txs, { captureWitness: true, timestamp: time });
      expect(mined.skipped.map((s) => s.reason)).to.deep.equal([]);
      const perBlock = mined.witness as Witness;
      // The node's recorder run again on the mined block under another write rule.
      const recordUnder = (writes: VerifierWrites): Promise<Witness> => recaptureWitness(chain, mined, { writes });
      const writeThrough = await recordUnder("write-through");
      const accepted = await verdict(mined, chain, perBlock, "per-block");
      expect(accepted, `block ${n + 1}`).to.match(/^valid /);
      expect(await verdict(mined, chain, writeThrough, "write-through"), `block ${n + 1}`).to.equal(accepted);
      // The per-block-changes rule (session 25): same verdict on its own witness, no node per block lacks.
      const changes = await recordUnder("per-block-changes");
      expect(await verdict(mined, chain, changes, "per-block-changes"), `block ${n + 1}`).to.equal(accepted);
      const perBlockNodes = new Set(perBlock.state.map((node) => bytesToHex(node)));
      expect(
        changes.state.filter((node) => !perBlockNodes.has(bytesToHex(node))).length,
        `block ${n + 1}: per-block-changes nodes per block lacks`,
      ).to.equal(0);
      // Not a law (the s23 counter-example is larger per block), but true of every block generated here.
      expect(perBlock.state.length, `block ${n + 1}'s witness nodes`).to.be.at.most(writeThrough.state.length);
      perBlockTotal += perBlock.state.length;
      writeThroughTotal += writeThrough.state.length;
      sizes.push(`${txs.length} txs: ${perBlock.state.length}/${writeThrough.state.length}`);
    }
    console.log(
      `      witness state nodes per block, per-block/write-through: ${sizes.join(", ")}; total ${perBlockTotal}/${writeThroughTotal}`,
    );
    expect(perBlockTotal).to.be.at.most(writeThroughTotal);
  });
});
