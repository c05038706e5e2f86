import { Wallet } from "ethers";

import { sequencingOpensAt } from "../bridge/authorization";
import { connectRollup } from "../bridge/contracts";
import { type FollowerNode, type FollowerNodeConfig, startFollowerNode } from "../follower/service";
import { type RollupNode, type RollupNodeConfig, startRollupNode } from "./rollupNode";

/** How often a take-over node asks the rollup whether its key may advance yet. */
export const DEFAULT_TAKEOVER_POLL_MS = 250;

export interface TakeoverConfig {
  /** The follower it runs until sequencing opens (its data directory becomes the sequencer's). */
  readonly follower: FollowerNodeConfig;
  /** The sequencer it becomes: same data directory, genesis, L1 and rollup; `keys.sequencer` is this node's own funded L1 key. */
  readonly sequencer: RollupNodeConfig;
  readonly pollMs?: number;
  /** Called when the node starts sequencing (the follower is stopped, the sequencer running). */
  readonly onTakeover?: (node: RollupNode, at: TakeoverMoment) => void;
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
  stop(): Promise<void>;
}

/**
 * A follower that takes over sequencing when the rollup's own rule lets its key advance
 * (docs/design/rebase-and-takeover.md): under `fallback` once the sequencer has been inactive
 * past its period, under `based` at once. Until then it only derives from L1 (it never builds a
 * block L1 would refuse); once allowed and caught up with L1, it stops the follower and opens the
 * sequencer on the same data directory, which builds on the last accepted block, relays the
 * queued (overdue first: the queue is consumed in order) L1 messages, and advances the rollup.
 */
export async function startTakeoverNode(config: TakeoverConfig): Promise<TakeoverNode> {
  if (config.follower.dataDir !== config.sequencer.storage.dataDir)
    throw new Error("the take-over node's follower and sequencer must share one data directory");
  const account = new Wallet(config.sequencer.keys.sequencer.privateKey).address;
  const rollup = connectRollup(config.sequencer.l1.rollupAddress, config.sequencer.l1.provider);
  const log = config.sequencer.logger("takeover");
  let follower: FollowerNode | undefined = await startFollowerNode(config.follower);
  let sequencer: RollupNode | undefined;
  let stopped = false;
  let lastLogged: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;

  const check = async (): Promise<void> => {
    if (stopped || follower === undefined) return;
    const rule = await sequencingOpensAt(rollup, account);
    if (!rule.allowed) {
      if (lastLogged !== rule.openAt)
        log.info(`following; the rollup lets ${account} advance from L1 time ${rule.openAt}`);
      lastLogged = rule.openAt;
      return;
    }
    await follower.follower.syncToL1Head();
    if (stopped) return;
    // Under `fallback` the rule opened at the end of the sequencer's inactivity period.
    const openAt = (await rollup.openSequencingAt()) as bigint;
    log.warn(
      `the rollup lets ${account} advance (open since L1 time ${openAt}): taking over sequencing at L2 block ${follower.follower.chain.headNumber}`,
    );
    const port = follower.url === undefined ? undefined : Number(new URL(follower.url).port);
    await follower.stop();
    follower = undefined;
    const rpc =
      config.sequencer.rpc === false
        ? false
        : {
            ...config.sequencer.rpc,
            port: config.sequencer.rpc?.port === 0 && port !== undefined ? port : config.sequencer.rpc?.port,
          };
    const started = await startRollupNode({ ...config.sequencer, rpc });
    if (stopped) {
      await started.stop();
      return;
    }
    sequencer = started;
    config.onTakeover?.(started, { openAt, startedAt: Date.now() });
  };

  let checking: Promise<void> = Promise.resolve();
  const loop = (): void => {
    timer = setTimeout(() => {
      checking = check()
        .catch((error: Error) => log.warn(`take-over check failed, retrying: ${error.message}`))
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
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await checking;
      await follower?.stop();
      await sequencer?.stop();
    },
  };
}
