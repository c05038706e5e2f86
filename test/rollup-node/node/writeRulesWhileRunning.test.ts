import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import type { WriteRules } from "../../../precompiles";
import { type RollupStatus, decodeRollupStatus } from "../../../protocol";
import type { GenesisConfig } from "../../../rollup-node/chain/genesis";
import { type StoredL1, startStoredL1 } from "../../../rollup-node/devnet/l1Thread";
import { type FollowerNode, startFollowerNode } from "../../../rollup-node/follower/service";
import { genesisSupply } from "../../../rollup-node/l2/genesis";
import { Sequencer } from "../../../rollup-node/l2/sequencer";
import { type LoggerFactory, silentLogger } from "../../../rollup-node/logger";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { devL2Genesis } from "../../../rollup-node/node/l2Genesis";
import { type RollupNode, startRollupNode } from "../../../rollup-node/node/rollupNode";
import type { RpcBackend } from "../../../rollup-node/rpc/backend";
import type { MethodTable } from "../../../rollup-node/rpc/methods/types";
import { LoggedLines } from "../../../tools/loggedLines";
import {
  COUNTER_EXAMPLE_SETTERS,
  counterExampleData,
  counterExampleSetterAccounts,
  counterExampleSlots,
} from "../../../tools/writeRuleCounterExample";

const L2_CHAIN_ID = 921n;
/** Long enough that no periodic check runs in these tests: what they see comes from the triggers. */
const NO_PERIODIC_CHECK_MS = 3_600_000;

/** rollup_status over the wire's codec, as the SDK reads it. */
async function statusOf(methods: MethodTable): Promise<RollupStatus> {
  const answer = await methods.rollup_status?.([], undefined as unknown as RpcBackend);
  return decodeRollupStatus(answer as Record<string, unknown>);
}

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(last, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** A stored L1 devnet (its EXECUTE applying given rules to the chain), the rollup on it, and a node. */
interface World {
  readonly provider: JsonRpcProvider;
  readonly genesis: GenesisConfig;
  readonly rollupAddress: string;
  readonly deployBlock: number;
  readonly node: RollupNode;
  readonly l1Accounts: readonly { readonly address: string; readonly privateKey: string }[];
  /** Lines each component logged. */
  readonly lines: Map<string, LoggedLines>;
  readonly logger: LoggerFactory;
  /** Stops the L1 (for `pauseMs`) and starts it again on its data at the same port with `rules`. */
  restartL1(rules: WriteRules | undefined, pauseMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function startWorld(options: {
  readonly l1Rules: WriteRules | undefined;
  readonly l2Rules: WriteRules | undefined;
  readonly extraAlloc?: GenesisConfig["alloc"];
  readonly pollMs: number;
  readonly allowEmptyBlocks: boolean;
}): Promise<World> {
  const keys = devNodeKeys();
  const l1Dir = mkdtempSync(path.join(tmpdir(), "write-rules-l1-"));
  const nodeDir = mkdtempSync(path.join(tmpdir(), "write-rules-node-"));
  let port = 0;
  const startL1 = (rules: WriteRules | undefined, reset: boolean): Promise<StoredL1> =>
    startStoredL1({
      directory: l1Dir,
      reset,
      devnet: {
        port,
        alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } },
        ...(rules === undefined ? {} : { execute: { writeRules: new Map([[L2_CHAIN_ID, rules]]) } }),
      },
    });
  let l1: StoredL1 | undefined = await startL1(options.l1Rules, true);
  port = l1.devnet.port as number;
  const provider = new JsonRpcProvider(l1.devnet.url as string, undefined, {
    staticNetwork: true,
    pollingInterval: 20,
    cacheTimeout: -1,
  });
  const l1Accounts = l1.devnet.accounts;
  const dev = devL2Genesis({
    chainId: L2_CHAIN_ID,
    timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
    funded: [...l1Accounts, keys.relayer],
    ...(options.l2Rules === undefined ? {} : { writeRules: options.l2Rules }),
  });
  const genesis: GenesisConfig = { ...dev, alloc: { ...dev.alloc, ...options.extraAlloc } };
  // The genesis block's hash and root, from a sequencer opened on it once.
  const scratch = mkdtempSync(path.join(tmpdir(), "write-rules-genesis-"));
  const opened = await Sequencer.open({ dataDir: scratch, genesis, logger: silentLogger });
  const block0 = opened.chain.resolveBlock(0n).block;
  await opened.close();
  rmSync(scratch, { recursive: true, force: true });
  const { address: rollupAddress, deployBlock } = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
    genesisBlockHash: bytesToHex(block0.hash()),
    genesisStateRoot: bytesToHex(block0.header.stateRoot),
    sequencer: keys.sequencer.address,
    l2ChainId: L2_CHAIN_ID,
    genesisSupply: genesisSupply(genesis),
  });
  const lines = new Map<string, LoggedLines>();
  const logger: LoggerFactory = (component) => {
    const found = lines.get(component) ?? new LoggedLines();
    lines.set(component, found);
    return found;
  };
  const node = await startRollupNode({
    storage: { dataDir: nodeDir, reset: true },
    l1: { provider, rollupAddress, deployBlock, pollMs: options.pollMs, writeRulesRecheckMs: NO_PERIODIC_CHECK_MS },
    // One block a second: L2 timestamps keep to L1 time (a faster chain runs ahead and waits on BlockFromFuture).
    sequencer: { genesis, blockTimeMs: 1_000, allowEmptyBlocks: options.allowEmptyBlocks },
    submitter: { retry: { initialDelayMs: 50, maxDelayMs: 400 } },
    keys,
    rpc: false,
    dashboard: false,
    logger,
  });
  return {
    provider,
    genesis,
    rollupAddress,
    deployBlock,
    node,
    l1Accounts,
    lines,
    logger,
    restartL1: async (rules, pauseMs) => {
      await l1?.stop();
      l1 = undefined;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      l1 = await startL1(rules, false);
    },
    stop: async () => {
      await node.stop().catch(() => undefined);
      provider.destroy();
      await l1?.stop().catch(() => undefined);
      for (const dir of [l1Dir, nodeDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The lines the node's write-rules watch and submitter logged. */
function writeRulesLog(world: World): string[] {
  return [...(world.lines.get("write-rules")?.all ?? []), ...(world.lines.get("submitter")?.all ?? [])];
}

/**
 * A node checked the L1's write rules at its start only (attack-review-s26, "Write-rule
 * agreement"): an L1 devnet restarted under it with other rules for the chain was seen at the
 * node's next start, and meanwhile it sent blocks recorded under its rules to an EXECUTE that
 * applies others (every one of them may be WitnessIncomplete there). Here the stored L1 devnet is
 * really stopped and started again on its data at the same port, with other rules.
 */
describe("write rules while the node runs: an L1 devnet restarted under it with other rules", function () {
  this.timeout(180_000);
  let world: World;
  let followerDir: string;

  before(async () => {
    followerDir = mkdtempSync(path.join(tmpdir(), "write-rules-follower-"));
    world = await startWorld({ l1Rules: undefined, l2Rules: undefined, pollMs: 100, allowEmptyBlocks: true });
  });

  after(async () => {
    await world?.stop();
    if (followerDir !== undefined) rmSync(followerDir, { recursive: true, force: true });
  });

  it("stops sending (the submitter waits, WRITE_RULES_MISMATCH) and says so in its log and rollup_status; resumes when the L1 is restarted with its rules", async () => {
    const { node, provider } = world;
    const methods = node.bridge.rpcMethods();
    await eventually(
      "blocks accepted before the restart",
      () => statusOf(methods),
      (s) => s.acceptedL2Head >= 2n,
    );
    expect((await statusOf(methods)).l1.state).to.equal("ok");

    // Long enough for the node's L1 polls (every 100 ms) to fail on it.
    await world.restartL1("write-through", 800);
    expect(await provider.send("devnet_executeWriteRules", [`0x${L2_CHAIN_ID.toString(16)}`])).to.equal(
      "write-through",
    );
    const stopped = await eventually(
      "the node under an L1 restarted with other write rules",
      () => statusOf(methods),
      (s) => s.submitterErrorCode === "WRITE_RULES_MISMATCH",
    );
    expect(stopped.submitter).to.equal("waiting");
    expect(stopped.submitterError).to.contain("the node's genesis declares write rules per-block");
    expect(stopped.submitterError).to.contain("the L1's EXECUTE applies write-through");
    expect(stopped.l1).to.deep.include({
      state: "write-rules-mismatch",
      nodeRules: "per-block",
      l1Rules: "write-through",
    });
    // Nothing more is sent: L1's head stays while the node builds on.
    const acceptedThen = (await statusOf(methods)).acceptedL2Head;
    const later = await eventually(
      "the L2 head",
      () => statusOf(methods),
      (s) => s.l2Head >= acceptedThen + 4n,
    );
    expect(later.acceptedL2Head).to.equal(acceptedThen);
    const written = writeRulesLog(world);
    expect(written.some((line) => line.startsWith("WRITE RULES MISMATCH (found on the L1 answering again"))).to.equal(
      true,
      written.join("\n"),
    );

    await world.restartL1(undefined, 800);
    const resumed = await eventually(
      "the node under its L1 restarted with its rules again",
      () => statusOf(methods),
      (s) => s.submitter === "running" && s.acceptedL2Head > later.l2Head,
    );
    expect(resumed.l1.state).to.equal("ok");
    expect(resumed.submitterErrorCode).to.equal(undefined);
  });

  it("a follower whose genesis declares other rules derives the same chain and warns in rollup_status that it could not take over", async () => {
    const { node, provider, rollupAddress, deployBlock, genesis, logger } = world;
    const followers: FollowerNode[] = [];
    const start = (rules: WriteRules, dir: string): Promise<FollowerNode> =>
      startFollowerNode({
        storage: { dataDir: dir, reset: true },
        l1: { provider, rollupAddress, deployBlock, pollMs: 100, writeRulesRecheckMs: NO_PERIODIC_CHECK_MS },
        follower: { genesis: { ...genesis, writeRules: rules } },
        rpc: false,
        dashboard: false,
        logger,
      });
    const sameDir = mkdtempSync(path.join(tmpdir(), "write-rules-follower-same-"));
    try {
      const other = await start("write-through", followerDir);
      followers.push(other);
      const same = await start("per-block", sameDir);
      followers.push(same);
      const target = (await statusOf(node.bridge.rpcMethods())).acceptedL2Head;
      for (const follower of followers)
        await eventually(
          "the follower's head",
          async () => follower.follower.status().head,
          (head) => head >= target,
        );
      // Write rules decide which witness EXECUTE needs, not what a block does: the same blocks.
      const local = await node.sequencer.producedBlock(target);
      expect(bytesToHex((await other.follower.producedBlock(target))?.block.hash() as Uint8Array)).to.equal(
        bytesToHex(local?.block.hash() as Uint8Array),
      );
      const warned = await statusOf(followerStatusMethods(other));
      expect(warned.l1).to.deep.include({
        state: "write-rules-mismatch",
        nodeRules: "write-through",
        l1Rules: "per-block",
      });
      expect(warned.submitter).to.equal("off");
      expect((await statusOf(followerStatusMethods(same))).l1.state).to.equal("ok");
    } finally {
      for (const follower of followers) await follower.stop();
      rmSync(sameDir, { recursive: true, force: true });
    }
  });
});

/**
 * An L1 restarted too quickly for any of the node's polls to fail on it (they run every minute
 * here): the only sign is L1 refusing a block, which before was a BLOCK_REJECTED halt naming
 * WitnessIncomplete. The node records write-through; the L1 comes back per block, and the block is
 * the s23 counter-example (write-through's witness lacks a node per block reads).
 */
describe("write rules while the node runs: L1 refusing a block as WitnessIncomplete", function () {
  this.timeout(180_000);
  let world: World;

  before(async () => {
    const extraAlloc = Object.fromEntries(
      counterExampleSetterAccounts().map(({ address, code, storage }) => [address, { code, storage }]),
    );
    world = await startWorld({
      l1Rules: "write-through",
      l2Rules: "write-through",
      extraAlloc,
      pollMs: 60_000,
      allowEmptyBlocks: false,
    });
  });

  after(() => world?.stop());

  it("asks the L1 again, and waits on WRITE_RULES_MISMATCH instead of halting on BLOCK_REJECTED; the L1 given the rules back takes the block", async () => {
    const { node, l1Accounts } = world;
    const methods = node.bridge.rpcMethods();
    await world.restartL1(undefined, 0);
    const sender = new Wallet(l1Accounts[1]?.privateKey as string);
    const raw = await sender.signTransaction({
      type: 2,
      chainId: L2_CHAIN_ID,
      nonce: 0,
      to: COUNTER_EXAMPLE_SETTERS[0],
      data: counterExampleData(counterExampleSlots()),
      gasLimit: 300_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    await node.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
    const stopped = await eventually(
      "the node whose block L1 refused as WitnessIncomplete",
      () => statusOf(methods),
      (s) => s.submitter !== "running",
    );
    expect(stopped.submitterErrorCode, stopped.submitterError).to.equal("WRITE_RULES_MISMATCH");
    expect(stopped.submitter).to.equal("waiting");
    expect(stopped.acceptedL2Head).to.equal(0n);
    expect(stopped.l1).to.deep.include({
      state: "write-rules-mismatch",
      nodeRules: "write-through",
      l1Rules: "per-block",
    });
    const written = writeRulesLog(world);
    expect(
      written.some((line) =>
        line.startsWith("WRITE RULES MISMATCH (found on L1 refusing L2 block 1 as WitnessIncomplete)"),
      ),
    ).to.equal(true, written.join("\n"));

    await world.restartL1("write-through", 800);
    const resumed = await eventually(
      "the node under its L1 restarted with its rules again",
      () => statusOf(methods),
      // The wait ends when the round that sent the block returns, just after L1 accepted it.
      (s) => s.acceptedL2Head >= 1n && s.submitter === "running",
    );
    expect(resumed.submitterErrorCode).to.equal(undefined);
  });
});

/** A follower node's rollup_* methods, through its in-process provider. */
function followerStatusMethods(follower: FollowerNode): MethodTable {
  return {
    rollup_status: async () => (await follower.provider.request({ method: "rollup_status", params: [] })) as never,
  };
}
