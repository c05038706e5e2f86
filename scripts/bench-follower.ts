/**
 * Sync speed of a follower from L1 data alone (`npm run bench:follower -- --blocks 20 --txs 100`).
 *
 * Starts the whole rollup in this process (L1 devnet, rollup contract, sequencer; ephemeral ports,
 * temporary data directories), fills `--blocks` L2 blocks with `--txs` signed ETH transfers each
 * (from `--senders` dev accounts), waits until L1 has accepted them all, then opens a follower on
 * an empty data directory and times its derivation up to the L1 head: reading the rollup's events,
 * fetching each block's body from its `advance` calldata, executing it on the follower's own state
 * and storing it in LevelDB. Prints L2 blocks/s, transactions/s and Mgas/s, and checks that the
 * follower's head hash is the one L1 accepted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { bytesToHex } from "@ethereumjs/util";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { connectRollup } from "../rollup-node/bridge/contracts";
import { startRollupDevnet } from "../rollup-node/devnet/rollupDevnet";
import { Follower } from "../rollup-node/follower/follower";
import { silentLogger } from "../rollup-node/logger";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    blocks: { type: "string", default: "20" },
    txs: { type: "string", default: "100" },
    senders: { type: "string", default: "5" },
  },
});
const BLOCKS = Number(values.blocks);
const TXS = Number(values.txs);
const SENDERS = Number(values.senders);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-follower-"));
  const devnet = await startRollupDevnet({
    dataDir: path.join(dir, "devnet"),
    l1Port: 0,
    l2Port: 0,
    produceBlocks: false,
    l1PollMs: 100,
    logger: () => silentLogger,
  });
  const l1 = new JsonRpcProvider(devnet.l1Url, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  const l2 = new JsonRpcProvider(devnet.l2Url, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  try {
    const senders = devnet.accounts.slice(0, SENDERS).map((a) => new Wallet(a.privateKey));
    const nonces = senders.map(() => 0);
    const fee = { maxFeePerGas: parseUnits("20", "gwei"), maxPriorityFeePerGas: 1n };
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < TXS; i++) {
        const s = i % SENDERS;
        const raw = await (senders[s] as Wallet).signTransaction({
          chainId: devnet.l2ChainId,
          nonce: nonces[s]++,
          to: `0x${(0xb000 + i).toString(16).padStart(40, "0")}`,
          value: 1n,
          gasLimit: 21_000n,
          type: 2,
          ...fee,
        });
        await l2.send("eth_sendRawTransaction", [raw]);
      }
      await devnet.node.sequencer.produceBlock();
    }
    const head = devnet.node.sequencer.chain.headNumber;
    const rollup = connectRollup(devnet.deployment.address, l1);
    while ((await rollup.headNumber()) < head) await sleep(200);
    let gas = 0n;
    let txs = 0;
    for (let n = 1n; n <= head; n++) {
      const block = devnet.node.sequencer.chain.resolveBlock(n).block;
      gas += block.header.gasUsed;
      txs += block.transactions.length;
    }
    console.log(
      `sequencer: ${head} L2 blocks, ${txs} transactions, ${(Number(gas) / 1e6).toFixed(1)} Mgas, all accepted on L1 (re-execution mode)`,
    );

    const started = performance.now();
    const follower = await Follower.open({
      dataDir: path.join(dir, "follower"),
      genesis: devnet.genesis,
      l1Provider: l1,
      rollupAddress: devnet.deployment.address,
      deployBlock: devnet.deployment.deployBlock,
      logger: silentLogger,
    });
    await follower.syncToL1Head();
    const seconds = (performance.now() - started) / 1000;
    const same = bytesToHex(follower.chain.head.hash()) === (await rollup.headHash());
    console.log(
      `follower: derived ${follower.chain.headNumber} blocks from L1 in ${seconds.toFixed(2)} s: ${(Number(follower.chain.headNumber) / seconds).toFixed(1)} L2 blocks/s, ` +
        `${(txs / seconds).toFixed(0)} tx/s, ${(Number(gas) / 1e6 / seconds).toFixed(2)} Mgas/s; head hash ${same ? "matches" : "DIFFERS FROM"} L1's`,
    );
    await follower.close();
    if (!same) process.exitCode = 1;
  } finally {
    l1.destroy();
    l2.destroy();
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
