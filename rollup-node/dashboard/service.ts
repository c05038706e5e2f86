import type { L1Watcher } from "../bridge/l1Watcher";
import type { SequencerApi } from "../l2/types";
import type { Logger } from "../logger";
import type { HttpRouteHandler } from "../rpc/server";
import { type DashboardLimits, type DashboardSource, DashboardCollector } from "./collect";
import { explorerBlock, explorerReceipt } from "./explorer";
import { DashboardFeed } from "./feed";
import { createDashboardRoutes } from "./routes";
import { buildDashboardSnapshot } from "./snapshot";

export interface DashboardConfig {
  readonly source: DashboardSource;
  readonly sequencer: Pick<SequencerApi, "onBlock">;
  readonly watcher: Pick<L1Watcher, "onMessage" | "status">;
  readonly logger: Logger;
  readonly limits?: DashboardLimits;
}

/** The live dashboard of a rollup node: reads facts, builds snapshots, pushes them, serves the page. */
export interface Dashboard {
  readonly feed: DashboardFeed;
  /** GET routes to pass to the node's HTTP server (`httpRoutes`). */
  readonly routes: HttpRouteHandler;
}

export function createDashboard(config: DashboardConfig): Dashboard {
  const collector = new DashboardCollector(config.source, config.limits);
  const feed = new DashboardFeed({
    snapshot: async (reason) => buildDashboardSnapshot(await collector.collect(reason)),
    sequencer: config.sequencer,
    watcher: config.watcher,
    logger: config.logger,
    labelledHeads: () => {
      const { chain } = config.source.status.sequencer;
      return `${chain.getBlock("safe")?.block.header.number}/${chain.getBlock("finalized")?.block.header.number}`;
    },
  });
  const { chain } = config.source.status.sequencer;
  const explorer = {
    block: (n: bigint) => explorerBlock(chain, n),
    receipt: (hash: string) => explorerReceipt(chain, hash),
  };
  return { feed, routes: createDashboardRoutes(feed, { explorer }) };
}
