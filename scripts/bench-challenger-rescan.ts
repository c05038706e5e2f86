/**
 * What a challenger's restart costs on a rollup with a history (`npm run bench:challenger-rescan --
 * --proposals 50,200 --rounds 3`).
 *
 * For each count N: an L1 devnet in this process, an optimistic rollup, N valid L2 blocks proposed
 * (one every 120 s of L1 time) and finalized once their window passed, then one more valid
 * proposal inside the window. A new challenger is started and polled once, alternately:
 * "deployment", reading from the rollup's deployment block as every start did before round 31
 * (a margin larger than the chain: the start clamps to `fromBlock`, the same reading), and
 * "window", the default (the first L1 block whose proposals can still be challenged, less
 * `DEFAULT_WINDOW_MARGIN_BLOCKS`). Prints the JSON-RPC requests by method, the bytes of their
 * answers, and the process's CPU time for the poll (the challenger and the devnet serving it share
 * the process: the L1 side of the reading is in the figure too), median of the rounds, and the
 * ratio window / deployment. Both pollers see the same chain in the same process.
 */
import { parseArgs } from "node:util";

import {
  JsonRpcProvider,
  type JsonRpcPayload,
  type JsonRpcResult,
  Wallet,
  hexlify,
  keccak256,
  parseEther,
} from "ethers";

import { decodeHeader, l2Common } from "../precompiles";
import { Challenger } from "../rollup-node/bridge/challenger";
import { connectOptimisticRollup } from "../rollup-node/bridge/contracts";
import { startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../rollup-node/logger";
import { deployRollup } from "../deploy/rollup";
import { TestSigner } from "../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../tools/l2TestChain";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    proposals: { type: "string", default: "50,200" },
    rounds: { type: "string", default: "3" },
  },
});
const COUNTS = String(values.proposals).split(",").map(Number);
const ROUNDS = Number(values.rounds);
const CHAIN_ID = 4344n;
const WINDOW = 3_600n;
const BOND = parseEther("0.1");
/** L1 seconds between two proposals: the proposal gas bucket refills (R × 120 s ≥ a block's charge). */
const PROPOSAL_SPACING_S = 120;

/** A provider that counts each JSON-RPC request by method and the bytes of its answers. */
class CountingProvider extends JsonRpcProvider {
  requests = new Map<string, number>();
  bytes = 0;

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    for (const p of Array.isArray(payload) ? payload : [payload])
      this.requests.set(p.method, (this.requests.get(p.method) ?? 0) + 1);
    const answers = await super._send(payload);
    for (const answer of answers) this.bytes += JSON.stringify(answer).length;
    return answers;
  }

  reset(): void {
    this.requests = new Map();
    this.bytes = 0;
  }
}

interface Sample {
  readonly requests: number;
  readonly byMethod: string;
  readonly bytes: number;
  readonly cpuMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(count: number): Promise<void> {
  const devnet = await startL1Devnet({ port: 0 });
  const provider = new CountingProvider(devnet.url, undefined, {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  try {
    const deployer = new Wallet(devnet.accounts[0].privateKey, provider);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(0x58, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
    const signer = TestSigner.fromSeed(0x58, chain.common);
    const blocks: BuiltBlock[] = [];
    for (let i = 0; i <= count; i++)
      blocks.push(await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000cc", value: 1n })]));
    const genesis = decodeHeader(blocks[0].parentHeader, l2Common(CHAIN_ID), "genesis");
    const deployment = await deployRollup(deployer, {
      l2ChainId: CHAIN_ID,
      genesisBlockHash: keccak256(blocks[0].parentHeader),
      genesisStateRoot: hexlify(genesis.stateRoot),
      sequencer: deployer.address,
      genesisSupply: 0n,
      optimistic: { challengeWindow: WINDOW, proposalBond: BOND },
    });
    const rollup = connectOptimisticRollup(deployment.address, deployer);
    let time = (await provider.getBlock("latest"))?.timestamp ?? 0;
    const propose = async (b: BuiltBlock): Promise<void> => {
      time += PROPOSAL_SPACING_S;
      await provider.send("evm_setNextBlockTimestamp", [time]);
      await (await rollup.propose(b.parentHeader, b.blockRlp, b.witness, 0, { value: BOND })).wait();
    };
    for (const b of blocks.slice(0, count)) await propose(b);
    time += Number(WINDOW) + 1;
    await provider.send("evm_mine", [time]);
    await (await rollup.finalize(count)).wait();
    await propose(blocks[count]);
    const head = await provider.getBlockNumber();

    const kinds = { deployment: Number.MAX_SAFE_INTEGER, window: undefined } as const;
    const samples: Record<keyof typeof kinds, Sample[]> = { deployment: [], window: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
        const challenger = new Challenger({
          l1Provider: provider,
          rollupAddress: deployment.address,
          fromBlock: deployment.deployBlock,
          signer: new Wallet(devnet.accounts[1].privateKey, provider),
          l2ChainId: CHAIN_ID,
          logger: silentLogger,
          checkThreads: 0,
          windowMarginBlocks: kinds[kind],
        });
        provider.reset();
        const cpu = process.cpuUsage();
        await challenger.poll();
        const used = process.cpuUsage(cpu);
        await challenger.stop();
        samples[kind].push({
          requests: [...provider.requests.values()].reduce((a, b) => a + b, 0),
          byMethod: [...provider.requests].map(([m, n]) => `${m} ${n}`).join(", "),
          bytes: provider.bytes,
          cpuMs: (used.user + used.system) / 1000,
        });
      }
    const [loadNow] = await import("node:os").then((os) => os.loadavg());
    console.log(
      `N = ${count} proposals (${head - deployment.deployBlock + 1} L1 blocks since deployment), load ${loadNow.toFixed(1)}`,
    );
    for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
      const s = samples[kind];
      console.log(
        `  ${kind.padEnd(10)} requests ${median(s.map((x) => x.requests))} (${s[0].byMethod}), answers ${median(s.map((x) => x.bytes))} B, CPU ${median(s.map((x) => x.cpuMs)).toFixed(1)} ms (rounds: ${s.map((x) => x.cpuMs.toFixed(1)).join(", ")})`,
      );
    }
    const ratio = (f: (x: Sample) => number): string =>
      (median(samples.window.map(f)) / median(samples.deployment.map(f))).toFixed(3);
    console.log(
      `  window / deployment: requests ${ratio((x) => x.requests)}, bytes ${ratio((x) => x.bytes)}, CPU ${ratio((x) => x.cpuMs)}`,
    );
  } finally {
    provider.destroy();
    await devnet.stop();
  }
}

async function main(): Promise<void> {
  for (const count of COUNTS) await measure(count);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
