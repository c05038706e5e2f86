import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { Contract, JsonRpcProvider, Wallet } from "ethers";

import {
  type ExampleRollup,
  L2_BRIDGE_INTERFACE,
  connectOptimisticRollup,
  connectRollup,
} from "../../../rollup-node/bridge/contracts";
import { L2_BRIDGE_ADDRESS } from "../../../protocol/messages";
import { type Logger, createLineLogger } from "../../../rollup-node/logger";
import { submitterModeOf } from "../../../rollup-node/node/nodeCommand";
import { type TakeoverNode, startTakeoverNode } from "../../../rollup-node/node/takeover";
import {
  type RollupDevnet,
  type RollupDevnetOptions,
  startRollupDevnet,
} from "../../../rollup-node/devnet/rollupDevnet";

/** Log lines of the run, kept for assertions (and printed with E2E_LOG=1 to debug a failure). */
export class LogSink {
  readonly lines: string[] = [];
  readonly factory = (component: string): Logger => createLineLogger(component, (line) => this.write(line));

  private write(line: string): void {
    this.lines.push(line);
    if (process.env.E2E_LOG === "1") console.log(line);
  }

  has(fragment: string): boolean {
    return this.lines.some((line) => line.includes(fragment));
  }
}

export interface E2eRollup {
  readonly devnet: RollupDevnet;
  readonly log: LogSink;
  readonly l1: JsonRpcProvider;
  readonly l2: JsonRpcProvider;
  /** L1 wallet of dev account `i`. */
  l1Wallet(i: number): Wallet;
  /** L2 wallet of dev account `i` (funded in the L2 genesis). */
  l2Wallet(i: number): Wallet;
  rollup(i?: number): ExampleRollup;
  stop(): Promise<void>;
}

/** A provider for a test's own reads: fast polling, no ethers read cache (a dev edit shows at once). */
export function provider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 25, cacheTimeout: -1 });
}

/**
 * How often an e2e rollup's node reads L1 (its watcher, L1 heads, the advance gas cap). Most
 * tests wait for what the node does after an L1 event with `eventually`, whose pauses grow to
 * EVENTUALLY_MAX_PAUSE_MS (200 ms): a poll of about that period adds at most one such pause to a
 * wait. At 100 ms an idle rollup spent ≈ 27 % more CPU than at 250 (0.078 against 0.057 cores,
 * docs/design/fast-tests.md, round 28a), in every e2e rollup of a test run. A test whose subject
 * is how soon the node sees L1 passes its own `l1PollMs`.
 */
export const E2E_L1_POLL_MS = 250;

/** The whole rollup in this process, on ephemeral ports and a temporary data directory. */
export async function startE2eRollup(
  options: Partial<Omit<RollupDevnetOptions, "logger">> & { keepDataDir?: boolean } = {},
): Promise<E2eRollup> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "rollup-e2e-"));
  const log = new LogSink();
  const devnet = await startRollupDevnet({
    dataDir,
    l1Port: 0,
    l2Port: 0,
    l2BlockTimeMs: 200,
    l1PollMs: E2E_L1_POLL_MS,
    ...options,
    logger: log.factory,
  });
  const l1 = provider(devnet.l1Url);
  const l2 = provider(devnet.l2Url);
  const key = (i: number): string => (devnet.accounts[i] as { privateKey: string }).privateKey;
  // One wallet per account and chain, one rollup contract per account: tests call these inside
  // their waits (`r.rollup().headNumber()` in an `eventually`), and each new Wallet derives its
  // public key on secp256k1 and each new contract builds the rollup's ABI interface (a keccak per
  // fragment): ≈ 2-5 CPU s of a long e2e file (docs/design/fast-tests.md, round 24). Wallets and
  // contracts hold no state of their own between calls (ethers v6 reads the nonce for each send).
  const l1Wallets = new Map<number, Wallet>();
  const l2Wallets = new Map<number, Wallet>();
  const rollups = new Map<number, ExampleRollup>();
  const once = <T>(cache: Map<number, T>, i: number, make: () => T): T => {
    let value = cache.get(i);
    if (value === undefined) {
      value = make();
      cache.set(i, value);
    }
    return value;
  };
  const l1Wallet = (i: number): Wallet => once(l1Wallets, i, () => new Wallet(key(i), l1));
  return {
    devnet,
    log,
    l1,
    l2,
    l1Wallet,
    l2Wallet: (i) => once(l2Wallets, i, () => new Wallet(key(i), l2)),
    rollup: (i = 0) => once(rollups, i, () => connectRollup(devnet.deployment.address, l1Wallet(i))),
    stop: async () => {
      l1.destroy();
      l2.destroy();
      await devnet.stop();
      if (options.keepDataDir !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The pause after `eventually`'s first check; each later pause doubles, up to the next constant. */
export const EVENTUALLY_FIRST_PAUSE_MS = 25;
/**
 * The longest pause between two checks: the harness's L2 block time (200 ms above), so a wait
 * for a block or for what the node does at its next L1 poll ends at most one block late. A
 * check is one or more RPC calls into this process's node: at a fixed 25 ms, a wait of seconds
 * (an L1 acceptance, a relay) cost as much CPU as the idle rollup itself (docs/design/fast-tests.md,
 * round 23), on a test run that is CPU-bound.
 */
export const EVENTUALLY_MAX_PAUSE_MS = 200;

/** Polls `check` until it returns a value other than undefined: soon at first, then once a block. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let pauseMs = EVENTUALLY_FIRST_PAUSE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, EVENTUALLY_MAX_PAUSE_MS);
  }
}

/** Moves the L1 devnet's clock forward and mines a block at the new time. */
export async function increaseL1Time(l1: JsonRpcProvider, seconds: bigint): Promise<void> {
  // From the latest block's timestamp, not the wall clock: blocks mined in quick succession run
  // ahead of the clock (each at least its parent + 1), and evm_increaseTime moves the clock.
  const latest = await l1.getBlock("latest");
  await l1.send("evm_setNextBlockTimestamp", [Number(BigInt(latest?.timestamp ?? 0) + seconds)]);
  await l1.send("evm_mine", []);
}

/**
 * Waits until L2 block `n` is proposed on `r`'s optimistic rollup and the node's challenger found it
 * valid, moves L1's clock past the challenge `window`, and waits until the node finalizes it. A
 * window long enough for a challenge on a loaded machine is too long to wait out
 * (docs/design/rpc-keepalive.md); a jump before the check would make the challenger drop the
 * proposal unchecked.
 */
export async function finalizeAfterVerdict(r: E2eRollup, n: bigint, window: bigint, what: string): Promise<void> {
  const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
  await eventually(
    `the proposal of L2 block ${n}`,
    async () => ((await rollup.tip())[0] >= n ? true : undefined),
    30_000,
  );
  await eventually(
    `the challenger's verdict on L2 block ${n}`,
    async () => (r.log.has(`L2 block ${n} is valid`) ? true : undefined),
    30_000,
  );
  await increaseL1Time(r.l1, window + 1n);
  await eventually(what, async () => ((await rollup.headNumber()) >= n ? true : undefined), 30_000);
}

/** The answer of `rollup_getWithdrawalProof`: what `finalizeMessage` on L1 takes. */
export interface WithdrawalProofJson {
  l2BlockNumber: string;
  message: { nonce: string; from: string; to: string; value: string; data: string };
  messageHash: string;
  accountProof: string[];
  storageProof: string[];
}

/** Withdraws `value` wei from L2 dev account `from` to `l1Recipient` through L2Bridge; resolves with the mined L2 transaction's hash. */
export async function withdrawToL1(r: E2eRollup, from: number, l1Recipient: string, value: bigint): Promise<string> {
  const bridge = new Contract(L2_BRIDGE_ADDRESS, L2_BRIDGE_INTERFACE, r.l2Wallet(from));
  const tx = await (
    bridge.getFunction("withdraw") as (to: string, o: object) => Promise<{ hash: string; wait(): Promise<unknown> }>
  )(l1Recipient, { value });
  await tx.wait();
  return tx.hash;
}

/** Waits until the withdrawal sent in `l2TransactionHash` is provable, then fetches its proof. */
export async function provableWithdrawal(
  r: E2eRollup,
  l2TransactionHash: string,
  timeoutMs?: number,
): Promise<WithdrawalProofJson> {
  await eventually(
    "provability",
    async () =>
      ((await r.l2.send("rollup_getMessageStatus", [{ l2TransactionHash }])) as { status: string }).status ===
        "provable" || undefined,
    timeoutMs,
  );
  return (await r.l2.send("rollup_getWithdrawalProof", [{ l2TransactionHash }])) as WithdrawalProofJson;
}

/**
 * The rollup of a take-over test: the inactivity period after which anyone may advance, shortened
 * to two minutes of L1 time, and the force-inclusion delay below it.
 */
export const TAKEOVER_TEST_POLICY = { sequencerInactivityPeriod: 120n, forceInclusionDelay: 60n } as const;
/** The L1 dev account a take-over test's node sequences with (funded on L1, not the rollup's SEQUENCER). */
export const TAKEOVER_ACCOUNT = 7;

/**
 * A take-over node of `r` (what `rollup:node --role follower --takeover` runs): `dataDir` (empty),
 * `r`'s L1 read through `l1`, its genesis and deployment, and L1 dev account `account`'s key as
 * its sequencer key (funded on L1, not the rollup's SEQUENCER), in the submitter mode the node
 * command gives it (submitterModeOf: an optimistic rollup's proposes). `onTakeover` gets its URL
 * once it sequences.
 */
export function startE2eTakeover(
  r: E2eRollup,
  options: { dataDir: string; l1: JsonRpcProvider; account: number; onTakeover: (url: string) => void },
): Promise<TakeoverNode> {
  const { dataDir } = options;
  const l1 = {
    provider: options.l1,
    rollupAddress: r.devnet.deployment.address,
    deployBlock: r.devnet.deployment.deployBlock,
  };
  const own = r.devnet.accounts[options.account] as { address: string; privateKey: `0x${string}`; balance: bigint };
  return startTakeoverNode({
    // The follower reads L1 more often, to catch up quickly.
    follower: {
      storage: { dataDir },
      l1: { ...l1, pollMs: 50 },
      follower: { genesis: r.devnet.genesis },
      rpc: { port: 0 },
      logger: r.log.factory,
    },
    sequencer: {
      storage: { dataDir },
      l1: { ...l1, pollMs: 100 },
      sequencer: { genesis: r.devnet.genesis, allowEmptyBlocks: false },
      keys: { ...r.devnet.keys, sequencer: own },
      rpc: { port: 0 },
      logger: r.log.factory,
      // As the node command: the deployment decides (an optimistic rollup's substitute proposes).
      submitter: { mode: submitterModeOf(r.devnet.deployment, undefined) },
    },
    onTakeover: (node) => options.onTakeover(node.url as string),
  });
}
