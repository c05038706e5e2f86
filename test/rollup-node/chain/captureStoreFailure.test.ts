import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { encodeWitness } from "../../../precompiles";
import { Chain } from "../../../rollup-node/chain/chain";
import { CaptureSourceError, WitnessCaptureError } from "../../../rollup-node/chain/errors";
import type { NodeCacheDB } from "../../../rollup-node/chain/nodeCacheDb";
import { type AncestorSource, captureWitness, storeAncestors } from "../../../rollup-node/chain/witnessCapture";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import { TestSigner } from "../../../tools/l2Fixtures";

const CHAIN_ID = 927n;
const GENESIS_TIME = 1_800_000_000n;
/** Reads BLOCKHASH(NUMBER - 1) and discards it: the capture asks the block store for the parent's header. */
const BLOCKHASH_READER = "0x000000000000000000000000000000000000b10c";

/** What a capture rejects with, by class and code. */
async function failureOf(capture: Promise<unknown>): Promise<{ error: Error; code: string | undefined }> {
  try {
    await capture;
  } catch (error) {
    return { error: error as Error, code: (error as { code?: string }).code };
  }
  throw new Error("the capture succeeded on a failing store");
}

describe("witness capture on the chain's thread: the store failing is not a verdict on the block", function () {
  this.timeout(120_000);

  async function minedBlock() {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    });
    const signer = TestSigner.fromSeed(70, probe.common);
    const chain = await Chain.create({
      genesis: l2Genesis({
        chainId: CHAIN_ID,
        timestamp: GENESIS_TIME,
        bridgeCode: "0x00",
        alloc: {
          [signer.address.toString()]: { balance: 10n ** 21n },
          [BLOCKHASH_READER]: { nonce: 1n, code: "0x600143034050" },
        },
      }),
      captureThread: "main",
    });
    const mined = await chain.mineBlock([signer.tx({ to: BLOCKHASH_READER, gasLimit: 60_000n })], {
      captureWitness: true,
      timestamp: GENESIS_TIME + 12n,
    });
    const internals = chain as unknown as { db: NodeCacheDB; store: Parameters<typeof storeAncestors>[0] };
    const parent = chain.resolveBlock(0n).block.header;
    return { chain, mined, internals, parent };
  }

  it("a trie database read that throws fails the capture as a store failure (CAPTURE_STORE_READ), not WITNESS_CAPTURE", async () => {
    const { chain, mined, internals, parent } = await minedBlock();
    const failing = Object.create(internals.db) as NodeCacheDB;
    failing.get = async () => {
      throw new Error("IO error: read failed (simulated)");
    };
    const { error, code } = await failureOf(
      captureWitness({
        common: chain.common,
        db: failing,
        ancestors: storeAncestors(internals.store),
        preStateRoot: parent.stateRoot,
        block: mined.record.block,
      }),
    );
    expect(error, error.message).to.be.instanceOf(CaptureSourceError);
    expect(error).not.to.be.instanceOf(WitnessCaptureError);
    expect(code).to.equal("CAPTURE_STORE_READ");
    expect(error.message).to.contain("IO error: read failed (simulated)");
  });

  it("a block store that throws reading an ancestor's header fails the capture as a store failure, not WITNESS_CAPTURE", async () => {
    const { chain, mined, internals, parent } = await minedBlock();
    const failing: AncestorSource = () => {
      throw new Error("IO error: header read failed (simulated)");
    };
    const { error, code } = await failureOf(
      captureWitness({
        common: chain.common,
        db: internals.db,
        ancestors: failing,
        preStateRoot: parent.stateRoot,
        block: mined.record.block,
      }),
    );
    expect(error, error.message).to.be.instanceOf(CaptureSourceError);
    expect(error).not.to.be.instanceOf(WitnessCaptureError);
    expect(code).to.equal("CAPTURE_STORE_READ");
    expect(error.message).to.contain("header read failed (simulated)");
  });

  it("the same block captured on a working store gives the witness the chain recorded", async () => {
    const { chain, mined, internals, parent } = await minedBlock();
    const witness = await captureWitness({
      common: chain.common,
      db: internals.db,
      ancestors: storeAncestors(internals.store),
      preStateRoot: parent.stateRoot,
      block: mined.record.block,
    });
    expect(bytesToHex(encodeWitness(witness))).to.equal(bytesToHex(mined.encodedWitness as Uint8Array));
  });
});
