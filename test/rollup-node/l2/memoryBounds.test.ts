import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { createL2Dispatcher } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import { DEFAULT_ARCHIVE_CACHE_BLOCKS, DEFAULT_RECENT_BLOCKS } from "../../../rollup-node/chain/blockStore";
import { InProcessProvider } from "../../../rollup-node/rpc/eip1193";
import { STORE_AND_LOG_INITCODE, type TestSigner, storeCall } from "../../../tools/l2Fixtures";
import { TempDirs, openSequencer, signers } from "./l2Support";

interface RpcReceipt {
  readonly blockNumber: string;
  readonly status: string;
}

/**
 * A long-running sequencer must not hold its whole chain in memory (#14: the node's memory grew
 * with every block until the OOM killer took it): the data directory holds every block, the
 * memory only the newest ones, and the RPC answers for old blocks as before, from disk.
 */
describe("L2 sequencer: memory bounded by the newest blocks, history served from disk", function () {
  this.timeout(180_000);
  const dirs = new TempDirs();
  const open: Sequencer[] = [];
  const bound = DEFAULT_RECENT_BLOCKS + DEFAULT_ARCHIVE_CACHE_BLOCKS;
  const blocks = DEFAULT_RECENT_BLOCKS + 20;

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  after(() => dirs.removeAll());

  it("producing blocks (each with its witness captured) adds no listener to the chain's Common: each kept the capture's EVM, state and recorded witness alive", async () => {
    const sequencer = await openSequencer(dirs.make());
    open.push(sequencer);
    const [user] = signers(1) as [TestSigner];
    await sequencer.produceBlock();
    const listeners = sequencer.chain.common.events.listenerCount("hardforkChanged");
    for (let n = 0; n < 5; n++) {
      await sequencer.submitTransaction(user.tx({ to: "0x00000000000000000000000000000000000000bb", value: 1n }));
      await sequencer.produceBlock();
    }
    expect(sequencer.chain.headNumber).to.equal(6n);
    expect(sequencer.chain.common.events.listenerCount("hardforkChanged")).to.equal(listeners);
  });

  it(`after ${blocks} blocks holds at most ${bound} blocks and their index entries, and still serves block 1, its transaction, receipt and logs`, async () => {
    const dir = dirs.make();
    const sequencer = await openSequencer(dir);
    open.push(sequencer);
    const [user] = signers(1) as [TestSigner];
    const deploy = user.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n });
    await sequencer.submitTransaction(deploy);
    await sequencer.produceBlock();
    const contract = sequencer.chain.getReceipt(deploy.hash())?.contractAddress as Uint8Array;
    const first = user.tx({ to: bytesToHex(contract), data: storeCall(1, 77) });
    await sequencer.submitTransaction(first);
    const firstBlock = await sequencer.produceBlock();
    for (let n = 3; n <= blocks; n++) {
      await sequencer.submitTransaction(user.tx({ to: bytesToHex(contract), data: storeCall(n, n) }));
      await sequencer.produceBlock();
    }
    expect(sequencer.chain.headNumber).to.equal(BigInt(blocks));

    const held = sequencer.chain.heldInMemory;
    expect(held.blocks, "decoded blocks in memory").to.be.at.most(bound);
    // One hash per block and one per transaction (one each here), for the held blocks only.
    expect(held.indexEntries, "index entries in memory").to.be.at.most(2 * DEFAULT_RECENT_BLOCKS);
    expect(held.preStateRoots, "pre-state roots kept (no dev edit was made)").to.equal(0);
    expect(sequencer.anchorsInMemory, "anchors in memory").to.be.at.most(DEFAULT_RECENT_BLOCKS);
    // An old block's anchor (what the submitter sends with it) is read back from its record.
    const old = await sequencer.producedBlock(2n);
    expect(old?.consumedMessages).to.equal(0);
    expect(old?.firstMessageNonce).to.equal(0n);
    expect(old?.blockRlp).to.deep.equal(firstBlock.blockRlp);

    const rpc = new InProcessProvider(createL2Dispatcher(sequencer));
    const byNumber = (await rpc.request({ method: "eth_getBlockByNumber", params: ["0x2", false] })) as {
      hash: string;
      transactions: string[];
    };
    expect(byNumber.hash).to.equal(bytesToHex(firstBlock.block.hash()));
    expect(byNumber.transactions).to.deep.equal([bytesToHex(first.hash())]);
    const byHash = (await rpc.request({ method: "eth_getBlockByHash", params: [byNumber.hash, false] })) as {
      number: string;
    };
    expect(byHash.number).to.equal("0x2");
    const receipt = (await rpc.request({
      method: "eth_getTransactionReceipt",
      params: [bytesToHex(first.hash())],
    })) as RpcReceipt;
    expect(receipt.blockNumber).to.equal("0x2");
    expect(receipt.status).to.equal("0x1");
    const tx = (await rpc.request({ method: "eth_getTransactionByHash", params: [bytesToHex(first.hash())] })) as {
      blockNumber: string;
    };
    expect(tx.blockNumber).to.equal("0x2");
    const logs = (await rpc.request({
      method: "eth_getLogs",
      params: [{ fromBlock: "0x1", toBlock: "0x4", address: bytesToHex(contract) }],
    })) as { blockNumber: string; topics: string[] }[];
    expect(logs.map((l) => l.blockNumber)).to.deep.equal(["0x2", "0x3", "0x4"]);
    expect(logs[0]?.topics[0]).to.equal(`0x${(77).toString(16).padStart(64, "0")}`);
    // Reading old blocks back does not grow what is held past the bound.
    for (let n = 1; n <= blocks; n++)
      await rpc.request({ method: "eth_getBlockByNumber", params: [`0x${n.toString(16)}`, true] });
    expect(sequencer.chain.heldInMemory.blocks).to.be.at.most(bound);
    // The genesis block is in no archive: it stays known however long the chain (block 1's parent).
    const genesis = (await rpc.request({ method: "eth_getBlockByNumber", params: ["0x0", false] })) as {
      number: string;
    } | null;
    expect(genesis?.number, "block 0 after the newest blocks moved past it").to.equal("0x0");
    expect((await sequencer.producedBlock(1n))?.number).to.equal(1n);

    // Reopened on the same directory: the same bound, the same answers.
    await sequencer.close();
    open.splice(0);
    const reopened = await openSequencer(dir);
    open.push(reopened);
    expect(reopened.chain.heldInMemory.blocks).to.be.at.most(bound);
    expect(reopened.chain.getReceipt(first.hash())?.blockNumber).to.equal(2n);
    expect(bytesToHex(reopened.chain.resolveBlock(2n).block.hash())).to.equal(byNumber.hash);
  });
});
