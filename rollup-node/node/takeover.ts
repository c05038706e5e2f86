import { Wallet } from "ethers";

import { MAX_L1_TIME, describeL1Time, proposingOpensAt, sequencingOpensAt } from "../bridge/authorization";
import { connectRollup } from "../bridge/contracts";
import { NodeError } from "../errors";
import { plural } from "../logger";
import { type FollowerNode, type FollowerNodeConfig, startFollowerNode } from "../follower/service";
import { DEFAULT_RPC_HOST, type HeldRpcPort } from "../rpc/server";
import { type RollupNode, type RollupNodeConfig, startRollupNode } from "./rollupNode";

/** How often a take-over node asks the rollup whether its key may advance yet. */
export const DEFAULT_TAKEOVER_POLL_MS = 250;
/** After a failed take-over, the node follows this long before it tries again; doubles per failure. */
export const DEFAULT_TAKEOVER_RETRY_MS = 5_000;
/** The longest wait between two take-over attempts. */
export const DEFAULT_TAKEOVER_MAX_RETRY_MS = 300_000;
/**
 * How long past the open time, by this machine's clock, before a rule still closed because L1's
 * latest block is older is reported: beyond a few L1 block intervals (12 s on Ethereum).
 */
export const DEFAULT_L1_CLOCK_GRACE_MS = 30_000;

/** The take-over node can neither sequence nor follow: it serves nothing, and says why. */
export class TakeoverError extends NodeError {}

export interface TakeoverConfig {
  /** The follower it runs until sequencing opens (its data directory becomes the sequencer's). */
  readonly follower: FollowerNodeConfig;
  /** The sequencer it becomes: same data directory, genesis, L1 and rollup; `keys.sequencer` is this node's own funded L1 key. */
  readonly sequencer: RollupNodeConfig;
  readonly pollMs?: number;
  /** DEFAULT_L1_CLOCK_GRACE_MS: past the open time this long with no newer L1 block, the node says so. */
  readonly l1ClockGraceMs?: number;
  /** Back-off after a failed take-over (DEFAULT_TAKEOVER_RETRY_MS doubling up to DEFAULT_TAKEOVER_MAX_RETRY_MS). */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Called when the node starts sequencing (the follower is stopped, the sequencer running). */
  readonly onTakeover?: (node: RollupNode, at: TakeoverMoment) => void;
  /**
   * Called when the node can neither sequence nor follow (the sequencer failed to start and the
   * follower could not be reopened): it serves nothing, so its process should exit with the reason.
   */
  readonly onFatal?: (error: TakeoverError) => void;
}

/** When the rollup opened to this node's key, and when the node started sequencing (ms since the epoch). */
export interface TakeoverMoment {
  /** L1 timestamp from which the rollup accepted this key's blocks. */
  readonly openAt: bigint;
  readonly startedAt: number;
}

export interface TakeoverNode {
  /** The follower while waiting; undefined once sequencing. */
  readonly follower: FollowerNode | undefined;
  /** The sequencer once it took over. */
  readonly sequencer: RollupNode | undefined;
  /** Why the last take-over attempt failed (the node follows meanwhile); undefined once it sequences. */
  readonly takeoverFailure: string | undefined;
  stop(): Promise<void>;
}

/**
 * A follower that takes over sequencing when the rollup's own rule lets its key advance
 * (docs/design/rebase-and-takeover.md): under `fallback` once the sequencer has been inactive
 * past its period, under `based` at once. Until then it only derives from L1 (it never builds a
 * block L1 would refuse); once allowed and caught up with L1, it stops the follower and opens the
 * sequencer on the same data directory, which builds on the last accepted block, relays the
 * queued (overdue first: the queue is consumed in order) L1 messages, and advances the rollup.
 *
 * A sequencer that fails to start (its RPC port taken, its key or chain unusable) sends the node
 * back to following on the same directory and port, logs the reason (once per distinct reason),
 * and tries again after a back-off; only when the follower cannot be reopened either does it give
 * up, through `onFatal` (docs/design/takeover-failures.md).
 */
export async function startTakeoverNode(config: TakeoverConfig): Promise<TakeoverNode> {
  if (config.follower.storage.dataDir !== config.sequencer.storage.dataDir)
    throw new Error("the take-over node's follower and sequencer must share one data directory");
  const account = new Wallet(config.sequencer.keys.sequencer.privateKey).address;
  const rollup = connectRollup(config.sequencer.l1.rollupAddress, config.sequencer.l1.provider);
  const log = config.sequencer.logger("takeover");
  let follower: FollowerNode | undefined = await startFollowerNode(config.follower);
  let sequencer: RollupNode | undefined;
  let stopped = false;
  let lastLogged: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** The last failed take-over's reason, the failures so far, and when the next attempt may start. */
  let failure: string | undefined;
  let failures = 0;
  let retryAt = 0;
  const retryInitial = config.retry?.initialMs ?? DEFAULT_TAKEOVER_RETRY_MS;
  const retryMax = config.retry?.maxMs ?? DEFAULT_TAKEOVER_MAX_RETRY_MS;

  const clockGraceMs = config.l1ClockGraceMs ?? DEFAULT_L1_CLOCK_GRACE_MS;
  let clockReportedFor: bigint | undefined;
  /**
   * The rule reads the timestamp of L1's latest block, not the wall clock: on an L1 that mines only
   * when sent a transaction (the devnet's L1 without --block-time) it stays closed past its time.
   * Said once per open time, instead of following on without a word.
   */
  const reportStandingL1Clock = async (openAt: bigint): Promise<void> => {
    if (clockReportedFor === openAt || openAt > MAX_L1_TIME) return;
    const lateMs = Date.now() - Number(openAt) * 1000;
    if (lateMs < clockGraceMs) return;
    const head = await config.sequencer.l1.provider.getBlock("latest");
    if (head === null || BigInt(head.timestamp) >= openAt) return;
    clockReportedFor = openAt;
    log.warn(
      `the rollup's rule opens for ${account} at L1 time ${describeL1Time(openAt)}, ${Math.round(lateMs / 1000)} s ago by this machine's clock, but L1's latest block #${head.number} is at time ${head.timestamp}: the rule reads L1's block time, so it opens with L1's next block (an L1 that mines only on transactions, such as npm run devnet:l1 without --block-time, needs one sent)`,
    );
  };

  const check = async (): Promise<void> => {
    if (stopped || follower === undefined || Date.now() < retryAt) return;
    const probed = await sequencingOpensAt(rollup, account);
    // An optimistic rollup refuses `advance` while a block is provisional, before its rule: a
    // silent sequencer's last proposal would hold the take-over off for good. It proposes: ask that.
    const rule = probed.status === "provisional" ? await proposingOpensAt(rollup, account) : probed;
    if (rule.status !== "allowed") {
      if (lastLogged !== rule.openAt && rule.openAt > MAX_L1_TIME) {
        // A permissioned rollup (or another rule that never opens to this key): following is all
        // this node will ever do, which --takeover did not ask for.
        const sequencer = await rollup.SEQUENCER();
        log.warn(
          `following only: the rollup's rule never lets ${account} advance (the rollup's sequencer is ${sequencer}), so this node will never take over; run it with that sequencer's key (NATIVE_ROLLUP_SEQUENCER_KEY), or without --takeover as a plain follower`,
        );
      } else if (lastLogged !== rule.openAt)
        log.info(`following; the rollup lets ${account} advance from L1 time ${describeL1Time(rule.openAt)}`);
      lastLogged = rule.openAt;
      await reportStandingL1Clock(rule.openAt);
      return;
    }
    await follower.follower.syncToL1Head();
    if (stopped) return;
    // Under `fallback` the rule opened at the end of the sequencer's inactivity period.
    const openAt = (await rollup.openSequencingAt()) as bigint;
    log.warn(
      `the rollup lets ${account} advance (open since L1 time ${describeL1Time(openAt)}): taking over sequencing at L2 block ${follower.follower.chain.headNumber}`,
    );
    // The follower's port stays open through the hand-over: requests wait for the sequencer
    // instead of being refused, and no other process can take the port meanwhile.
    const held = await follower.release();
    follower = undefined;
    const wanted = config.sequencer.rpc;
    const adopts =
      held !== undefined &&
      wanted !== false &&
      (wanted?.host ?? DEFAULT_RPC_HOST) === held.host &&
      (wanted?.port === 0 || wanted?.port === held.port);
    const rpc = wanted === false ? false : { ...wanted, ...(adopts ? { listenOn: held } : {}) };
    let started: RollupNode;
    try {
      started = await startRollupNode({ ...config.sequencer, rpc });
    } catch (error) {
      await backToFollowing(error as Error, held);
      return;
    }
    // A sequencer configured on another port serves there: the follower's is no longer needed.
    if (!adopts) await held?.close();
    if (stopped) {
      await started.stop();
      return;
    }
    if (failures > 0) log.info(`took over sequencing after ${plural(failures, "failed attempt")}`);
    failure = undefined;
    sequencer = started;
    config.onTakeover?.(started, { openAt, startedAt: Date.now() });
  };

  /**
   * The sequencer did not start: reopen the follower (same directory, on the port it held, so the
   * node's URL does not change) and try again after a back-off. A node that neither follows nor
   * sequences is the worst outcome, so it is reported through `onFatal` rather than left running.
   */
  const backToFollowing = async (error: Error, held: HeldRpcPort | undefined): Promise<void> => {
    failures += 1;
    const delay = Math.min(retryMax, retryInitial * 2 ** Math.min(failures - 1, 30));
    const reason = error.message;
    if (reason !== failure)
      log.error(
        `the sequencer failed to start, so the node follows again and tries to take over every ≤ ${Math.round(retryMax / 1000)} s: ${reason}`,
      );
    else log.debug(`take-over attempt ${failures} failed again (${reason}); next in ${delay} ms`);
    failure = reason;
    retryAt = Date.now() + delay;
    if (stopped) {
      await held?.close();
      return;
    }
    const rpc = config.follower.rpc === false ? false : { ...config.follower.rpc, listenOn: held };
    try {
      follower = await startFollowerNode({
        ...config.follower,
        storage: { ...config.follower.storage, reset: false },
        rpc,
      });
    } catch (reopen) {
      stopped = true;
      await held?.close().catch(() => undefined);
      const fatal = new TakeoverError(
        "TAKEOVER_FAILED",
        `the sequencer failed to start (${reason}) and the follower could not be reopened (${(reopen as Error).message}): the node serves nothing`,
        "fix the cause (a free RPC port, a funded key, a readable data directory) and restart the node",
      );
      log.error(fatal.message);
      config.onFatal?.(fatal);
    }
  };

  let checking: Promise<void> = Promise.resolve();
  /** The last failed check's reason: a check failing the same way at every poll is logged once. */
  let checkFailure: string | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      checking = check()
        .then(
          () => {
            if (checkFailure !== undefined) log.info("take-over check answers again");
            checkFailure = undefined;
          },
          (error: Error) => {
            if (error.message !== checkFailure) log.warn(`take-over check failed, retrying: ${error.message}`);
            checkFailure = error.message;
          },
        )
        .finally(() => {
          if (!stopped && sequencer === undefined) loop();
        });
    }, config.pollMs ?? DEFAULT_TAKEOVER_POLL_MS);
  };
  loop();

  return {
    get follower() {
      return follower;
    },
    get sequencer() {
      return sequencer;
    },
    get takeoverFailure() {
      return sequencer === undefined ? failure : undefined;
    },
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await checking;
      await follower?.stop();
      await sequencer?.stop();
    },
  };
}
