import { expect } from "chai";

import type { L1WatcherStatus, QueuedL1Message } from "../../../rollup-node/bridge/l1Watcher";
import type { ProducedBlock } from "../../../rollup-node/l2/types";
import { DashboardFeed } from "../../../rollup-node/dashboard/feed";
import type { DashboardSnapshot } from "../../../rollup-node/dashboard/types";
import { createLineLogger } from "../../../rollup-node/logger";

/** The node's change sources, driven by hand: blocks, L1 messages and the watcher's L1 head. */
class Sources {
  readonly blockListeners = new Set<(block: ProducedBlock) => void>();
  readonly messageListeners = new Set<(message: QueuedL1Message) => void>();
  status: L1WatcherStatus = { l1Head: 1, messageCount: 0n, nextMessageIndex: 0n, pending: 0 };
  readonly sequencer = {
    onBlock: (listener: (block: ProducedBlock) => void) => this.add(this.blockListeners, listener),
  };
  readonly watcher: {
    onMessage(listener: (message: QueuedL1Message) => void): () => void;
    readonly status: L1WatcherStatus;
  };

  constructor() {
    const sources = this;
    this.watcher = {
      onMessage: (listener) => this.add(this.messageListeners, listener),
      get status() {
        return sources.status;
      },
    };
  }

  /** The feed only needs to know that a block came, not which. */
  produceBlock(): void {
    for (const listener of this.blockListeners) listener({ number: 1n } as ProducedBlock);
  }

  queueMessage(): void {
    for (const listener of this.messageListeners) listener({ l1BlockNumber: 1 } as QueuedL1Message);
  }

  private add<T>(set: Set<T>, listener: T): () => void {
    set.add(listener);
    return () => set.delete(listener);
  }
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function feedOver(sources: Sources, builds: string[], buildMs = 0): DashboardFeed {
  return new DashboardFeed({
    snapshot: async (reason) => {
      builds.push(reason);
      await wait(buildMs);
      return { generatedAt: Date.now(), reason } as unknown as DashboardSnapshot;
    },
    sequencer: sources.sequencer,
    watcher: sources.watcher,
    logger: createLineLogger("dashboard", () => undefined),
    debounceMs: 10,
    l1HeadCheckMs: 10,
    maxAgeMs: 50,
  });
}

describe("dashboard feed (pushes a snapshot when the node changes)", () => {
  it("pushes one snapshot per burst of changes from L2 blocks, L1 messages and accepted blocks", async () => {
    const sources = new Sources();
    const builds: string[] = [];
    const feed = feedOver(sources, builds);
    const pushed: string[] = [];
    feed.subscribe((s) => pushed.push(s.reason));
    feed.start();
    sources.produceBlock();
    sources.queueMessage();
    feed.notify("accepted");
    await wait(60);
    expect(pushed).to.deep.equal(["l2-block"]);
    feed.notify("accepted");
    await wait(60);
    expect(pushed).to.deep.equal(["l2-block", "accepted"]);
    feed.stop();
  });

  it("notices a new L1 head from the watcher's last poll (proposals, finalizations, withdrawals)", async () => {
    const sources = new Sources();
    const feed = feedOver(sources, []);
    const pushed: string[] = [];
    feed.subscribe((s) => pushed.push(s.reason));
    feed.start();
    await wait(40);
    expect(pushed).to.deep.equal([]);
    sources.status = { ...sources.status, l1Head: 2 };
    await wait(60);
    expect(pushed).to.deep.equal(["l1-head"]);
    feed.stop();
  });

  it("builds nothing while no one listens, and answers requests from a recent snapshot", async () => {
    const sources = new Sources();
    const builds: string[] = [];
    const feed = feedOver(sources, builds);
    feed.start();
    feed.notify("l2-block");
    await wait(40);
    expect(builds).to.deep.equal([]);
    const first = await feed.current();
    expect(await feed.current()).to.equal(first);
    await wait(70);
    expect(await feed.current()).to.not.equal(first);
    expect(builds).to.deep.equal(["request", "request"]);
    feed.stop();
  });

  it("folds changes that arrive during a build into one more build, so the last change is never missed", async () => {
    const sources = new Sources();
    const builds: string[] = [];
    const feed = feedOver(sources, builds, 40);
    const pushed: string[] = [];
    feed.subscribe((s) => pushed.push(s.reason));
    feed.start();
    feed.notify("l2-block");
    await wait(25); // the first build is running
    feed.notify("accepted");
    await wait(15);
    feed.notify("l1-message");
    await wait(150);
    expect(builds).to.deep.equal(["l2-block", "accepted"]);
    expect(pushed).to.deep.equal(["l2-block", "accepted"]);
    feed.stop();
  });

  it("stops pushing once stopped", async () => {
    const sources = new Sources();
    const feed = feedOver(sources, []);
    const pushed: string[] = [];
    feed.subscribe((s) => pushed.push(s.reason));
    feed.start();
    feed.stop();
    sources.produceBlock();
    feed.notify("accepted");
    await wait(40);
    expect(pushed).to.deep.equal([]);
    expect(sources.blockListeners.size).to.equal(0);
  });
});
