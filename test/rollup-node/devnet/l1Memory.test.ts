import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { DEFAULT_ARCHIVE_CACHE_BLOCKS, DEFAULT_RECENT_BLOCKS } from "../../../rollup-node/chain/blockStore";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { L1Store } from "../../../rollup-node/devnet/l1Store";

interface RpcBlock {
  readonly hash: string;
  readonly transactions: readonly { readonly hash: string; readonly input: string }[];
}

/**
 * The rollup devnet's L1 carries every L2 block's witness in calldata: held in memory, its blocks
 * grew the process by megabytes a minute (#14). With its l1Store as the chain's archive only the
 * newest blocks stay in memory; older ones, their calldata and receipts, are served from disk.
 */
describe("L1 devnet with a data directory: memory bounded by the newest blocks", function () {
  this.timeout(180_000);
  let dir: string;
  let store: L1Store;
  let devnet: L1Devnet;
  const bound = DEFAULT_RECENT_BLOCKS + DEFAULT_ARCHIVE_CACHE_BLOCKS;
  const blocks = DEFAULT_RECENT_BLOCKS + 20;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "l1-memory-"));
    store = await L1Store.open(dir);
    const opened = store;
    devnet = await startL1Devnet({
      http: false,
      db: store.db,
      archive: store,
      onBlockMined: (record) => opened.append(record),
    });
  });

  after(async () => {
    await devnet.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${blocks} automined blocks with calldata holds at most ${bound} blocks, and still serves block 1, its calldata and receipt`, async () => {
    const from = devnet.accounts[0]?.address as string;
    const calldata = `0x${"ab".repeat(4096)}`;
    const hashes: string[] = [];
    for (let n = 1; n <= blocks; n++)
      hashes.push(
        (await devnet.provider.request({
          method: "eth_sendTransaction",
          params: [{ from, to: from, data: calldata, gas: "0x100000" }],
        })) as string,
      );
    expect(devnet.chain.headNumber).to.equal(BigInt(blocks));
    expect(devnet.chain.heldInMemory.blocks, "decoded blocks in memory").to.be.at.most(bound);

    const first = (await devnet.provider.request({
      method: "eth_getBlockByNumber",
      params: ["0x1", true],
    })) as RpcBlock;
    expect(first.transactions.map((tx) => tx.hash)).to.deep.equal([hashes[0]]);
    expect(first.transactions[0]?.input).to.equal(calldata);
    const byHash = (await devnet.provider.request({ method: "eth_getBlockByHash", params: [first.hash, false] })) as {
      number: string;
    };
    expect(byHash.number).to.equal("0x1");
    const receipt = (await devnet.provider.request({ method: "eth_getTransactionReceipt", params: [hashes[0]] })) as {
      blockNumber: string;
      status: string;
    };
    expect(receipt).to.include({ blockNumber: "0x1", status: "0x1" });
    expect(devnet.chain.heldInMemory.blocks).to.be.at.most(bound);
  });

  it("a snapshot revert drops a block already archived: its transaction is no longer served, the re-mined one is", async () => {
    const from = devnet.accounts[0]?.address as string;
    const head = devnet.chain.headNumber;
    const snapshot = (await devnet.provider.request({ method: "evm_snapshot", params: [] })) as string;
    const dropped = (await devnet.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to: from, value: "0x1" }],
    })) as string;
    expect(await devnet.provider.request({ method: "evm_revert", params: [snapshot] })).to.equal(true);
    const remined = (await devnet.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to: from, value: "0x2" }],
    })) as string;
    expect(await devnet.provider.request({ method: "eth_getTransactionByHash", params: [dropped] })).to.equal(null);
    const receipt = (await devnet.provider.request({ method: "eth_getTransactionReceipt", params: [remined] })) as {
      blockNumber: string;
    };
    expect(BigInt(receipt.blockNumber)).to.equal(head + 1n);
  });
});
