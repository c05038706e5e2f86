import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import {
  createExecutePrecompile,
  decodeExecuteInvalid,
  decodeExecuteResult,
  encodeExecuteInput,
} from "../../precompiles";
import { callExecute } from "../../tools/executeCall";
import { transferChain } from "../../tools/transferChain";

const CHAIN_ID = 1337n;
const TRANSFERS = 300;
/** A rollup's: EXECUTE refuses an L2 gas limit above the L1's per-transaction cap. */
const L2_GAS_LIMIT = 10_000_000n;
const PATCHED = hexToBytes("0x00000000000000000000000000000000000f00d5");

/**
 * Since s22-capacity a block's build and its witness capture give the event loop a turn between
 * transactions (rollup-node/chain/executionYield.ts). What a client can call meanwhile must see
 * the chain before the block or after it, never half of it, and must not change what the block
 * executes on or what its witness holds (attack-review-s22.md, item 2).
 */
describe("attack: dev methods and state reads while a block is built and witnessed", function () {
  this.timeout(120_000);

  it("reads see the pre-block head, edits wait for the block, and the witness still proves the block to EXECUTE", async () => {
    const { chain, sender, txs } = await transferChain({
      chainId: CHAIN_ID,
      transfers: TRANSFERS,
      gasLimit: L2_GAS_LIMIT,
    });
    const parent = chain.head;

    // On every turn the build gives the event loop: what admission and the RPC can read without
    // the chain's lock, and edits (anvil_setBalance, anvil_setCode) that take it.
    const seen: { head: bigint; nonce: bigint; latest: bigint | undefined }[] = [];
    const edits: Promise<unknown>[] = [];
    const reads: Promise<bigint>[] = [];
    let snapshotDuring: number | undefined;
    let building = true;
    const onTurn = async (): Promise<void> => {
      if (!building) return;
      const { account, head } = await chain.headAccount(sender.bytes);
      seen.push({
        head: head.header.number,
        nonce: account?.nonce ?? 0n,
        latest: chain.getBlock("latest")?.block.header.number,
      });
      if (seen.length === 2) {
        snapshotDuring = chain.snapshot();
        reads.push(chain.getNonce(sender.bytes, "latest"), chain.getBalance(sender.bytes, "pending"));
        edits.push(chain.patchAccount(PATCHED, { balance: 7n, code: hexToBytes("0x00") }));
        edits.push(chain.patchAccount(sender.bytes, { balance: 5n }));
      }
      setImmediate(() => void onTurn());
    };
    setImmediate(() => void onTurn());
    const mined = await chain.mineBlock(txs, { captureWitness: true });
    building = false;
    await Promise.all(edits);

    expect(mined.record.block.transactions.length).to.equal(TRANSFERS);
    expect(seen.length, "turns during the build").to.be.at.least(2);
    // Never half a block: the head, its number and the sender's nonce are the parent's until the block is stored.
    for (const s of seen.filter((x) => x.head === parent.header.number)) {
      expect(s).to.deep.equal({ head: parent.header.number, nonce: 0n, latest: parent.header.number });
    }
    expect(
      seen.every((s) => s.head === parent.header.number || s.head === parent.header.number + 1n),
      "a head other than the parent or the block",
    ).to.equal(true);
    // The locked reads waited for the block: they answer its post-state, before the edits queued after them.
    expect(await Promise.all(reads)).to.deep.equal([BigInt(TRANSFERS), await balanceAfterBlock()]);
    // The edits did not enter the block: it executed on its parent's state, and its witness proves it.
    expect(mined.preStateRoot).to.deep.equal(parent.header.stateRoot);
    const input = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: parent.header.serialize(),
      block: mined.record.block.serialize(),
      witness: mined.encodedWitness ?? new Uint8Array(),
      proofs: new Uint8Array(),
    });
    const result = await callExecute(createExecutePrecompile(), input, { gasLimit: 30_000_000n });
    expect(decodeExecuteInvalid(result.returnValue), "EXECUTE's verdict").to.equal(undefined);
    expect(result.exceptionError).to.equal(undefined);
    expect(decodeExecuteResult(result.returnValue).stateRoot).to.deep.equal(mined.record.block.header.stateRoot);
    // The edits applied after the block, on its state; the snapshot taken mid-build is the parent's.
    expect(await chain.getBalance(PATCHED, "latest")).to.equal(7n);
    expect(await chain.getBalance(sender.bytes, "latest")).to.equal(5n);
    expect(chain.headStateEdited).to.equal(true);
    expect(await chain.revert(snapshotDuring ?? -1)).to.equal(true);
    expect(chain.headNumber).to.equal(parent.header.number);
    expect(await chain.getBalance(PATCHED, "latest")).to.equal(0n);

    async function balanceAfterBlock(): Promise<bigint> {
      const gasPrice = mined.record.block.header.baseFeePerGas ?? 0n;
      return 10n ** 24n - BigInt(TRANSFERS) * (1n + 21_000n * (gasPrice + 1n));
    }
  });
});
