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

/**
 * A node checked the L1's write rules at its start only (attack-review-s26, "Write-rule
 * agreement"): an L1 devnet restarted under it with other rules for the chain was seen at the
 * node's next start, and meanwhile it sent blocks recorded under its rules to an EXECUTE that
 * applies others (every one of them may be WitnessIncomplete there). Here the stored L1 devnet is
 * really stopped and started again on its data at the same port, with other rules.
 */
describe("write rules while the node runs: an L1 devnet restarted under it with other rules", function () {
  this.timeout(180_000);
  const keys = devNodeKeys();
  let l1Dir: string;
  let nodeDir: string;
  let followerDir: string;
  let l1: StoredL1 | undefined;
  let port: number;
  let provider: JsonRpcProvider;
  let genesis: GenesisConfig;
  let rollupAddress: string;
  let deployBlock: number;
  let node: RollupNode | undefined;
  const lines = new Map<string, LoggedLines>();
  const logger: LoggerFactory = (component) => {
    const found = lines.get(component) ?? new LoggedLines();
    lines.set(component, found);
    return found;
  };

  /** The stored L1 started (again) on its directory at `port`, its EXECUTE applying `rules` to the chain. */
  async function startL1(rules: WriteRules | undefined, reset: boolean): Promise<StoredL1> {
    return startStoredL1({
      directory: l1Dir,
      reset,
      devnet: {
        port,
        alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } },
        ...(rules === undefined ? {} : { execute: { writeRules: new Map([[L2_CHAIN_ID, rules]]) } }),
      },
    });
  }

  /** Stops the L1 long enough for the node's polls to fail on it, and starts it again with `rules`. */
  async function restartL1(rules: WriteRules | undefined): Promise<void> {
    await l1?.stop();
    l1 = undefined;
    await new Promise((resolve) => setTimeout(resolve, 800));
    l1 = await startL1(rules, false);
  }

  before(async () => {
    l1Dir = mkdtempSync(path.join(tmpdir(), "write-rules-l1-"));
    nodeDir = mkdtempSync(path.join(tmpdir(), "write-rules-node-"));
    followerDir = mkdtempSync(path.join(tmpdir(), "write-rules-follower-"));
    port = 0;
    l1 = await startL1(undefined, true);
    port = l1.devnet.port as number;
    provider = new JsonRpcProvider(l1.devnet.url as string, undefined, {
      staticNetwork: true,
      pollingInterval: 20,
      cacheTimeout: -1,
    });
    genesis = devL2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.devnet.accounts, keys.relayer],
    });
    // The genesis block's hash and root, from a sequencer opened on it once.
    const scratch = mkdtempSync(path.join(tmpdir(), "write-rules-genesis-"));
    const opened = await Sequencer.open({ dataDir: scratch, genesis, logger: silentLogger });
    const block0 = opened.chain.resolveBlock(0n).block;
    await opened.close();
    rmSync(scratch, { recursive: true, force: true });
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      genesisBlockHash: bytesToHex(block0.hash()),
      genesisStateRoot: bytesToHex(block0.header.stateRoot),
      sequencer: keys.sequencer.address,
      l2ChainId: L2_CHAIN_ID,
      genesisSupply: genesisSupply(genesis),
    });
    ({ address: rollupAddress, deployBlock } = deployment);
    node = await startRollupNode({
      storage: { dataDir: nodeDir, reset: true },
      l1: { provider, rollupAddress, deployBlock, pollMs: 100, writeRulesRecheckMs: NO_PERIODIC_CHECK_MS },
      // One block a second: L2 timestamps keep to L1 time (a faster chain runs ahead and waits on BlockFromFuture).
      sequencer: { genesis, blockTimeMs: 1_000, allowEmptyBlocks: true },
      submitter: { retry: { initialDelayMs: 50, maxDelayMs: 400 } },
      keys,
      rpc: false,
      dashboard: false,
      logger,
    });
  });

  after(async () => {
    await node?.stop().catch(() => undefined);
    provider?.destroy();
    await l1?.stop().catch(() => undefined);
    for (const dir of [l1Dir, nodeDir, followerDir])
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("stops sending (the submitter waits, WRITE_RULES_MISMATCH) and says so in its log and rollup_status; resumes when the L1 is restarted with its rules", async () => {
    const running = node as RollupNode;
    const methods = running.bridge.rpcMethods();
    await eventually(
      "blocks accepted before the restart",
      () => statusOf(methods),
      (s) => s.acceptedL2Head >= 2n,
    );
    expect((await statusOf(methods)).l1.state).to.equal("ok");

    await restartL1("write-through");
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
    const written = [...(lines.get("write-rules")?.all ?? []), ...(lines.get("submitter")?.all ?? [])];
    expect(written.some((line) => line.startsWith("WRITE RULES MISMATCH (found on the L1 answering again"))).to.equal(
      true,
      written.join("\n"),
    );

    await restartL1(undefined);
    const resumed = await eventually(
      "the node under its L1 restarted with its rules again",
      () => statusOf(methods),
      (s) => s.submitter === "running" && s.acceptedL2Head > later.l2Head,
    );
    expect(resumed.l1.state).to.equal("ok");
    expect(resumed.submitterErrorCode).to.equal(undefined);
  });

  it("a follower whose genesis declares other rules derives the same chain and warns in rollup_status that it could not take over", async () => {
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
      const sequencer = (node as RollupNode).sequencer;
      const target = (await statusOf((node as RollupNode).bridge.rpcMethods())).acceptedL2Head;
      for (const follower of followers)
        await eventually(
          "the follower's head",
          async () => follower.follower.status().head,
          (head) => head >= target,
        );
      // Write rules decide which witness EXECUTE needs, not what a block does: the same blocks.
      const local = await sequencer.producedBlock(target);
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

/** A follower node's rollup_* methods, through its in-process provider. */
function followerStatusMethods(follower: FollowerNode): MethodTable {
  return {
    rollup_status: async () => (await follower.provider.request({ method: "rollup_status", params: [] })) as never,
  };
}
