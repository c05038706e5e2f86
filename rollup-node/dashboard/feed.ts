import type { L1Watcher } from "../bridge/l1Watcher";
import type { SequencerApi } from "../l2/types";
import type { Logger } from "../logger";
import type { DashboardSnapshot } from "./types";

export interface DashboardFeedConfig {
  /** Assembles a fresh snapshot (reads the node and L1). */
  readonly snapshot: (reason: string) => Promise<DashboardSnapshot>;
  readonly sequencer: Pick<SequencerApi, "onBlock">;
  readonly watcher: Pick<L1Watcher, "onMessage" | "status">;
  readonly logger: Logger;
  /** Changes closer together than this make one snapshot (default 50 ms). */
  readonly debounceMs?: number;
  /** How often the watcher's last L1 head is compared (in memory, no RPC; default 200 ms). */
  readonly l1HeadCheckMs?: number;
  /** A request within this age of the last snapshot gets it instead of a new one (default 250 ms). */
  readonly maxAgeMs?: number;
  /**
   * Where the node's `safe` and `finalized` tags point, as one comparable key (in memory, no RPC):
   * checked with the L1 head, since those labels move on L1 reads of their own, between events.
   */
  readonly labelledHeads?: () => string;
}

/**
 * Pushes a fresh snapshot to every subscriber when the node changes: it produced an L2 block, the
 * L1 watcher saw a message or a new L1 head (proposals, finalizations, withdrawals), or L1
 * accepted a block (`notify("accepted")`). Snapshots are built one at a time, only while someone
 * listens, and changes arriving during a build are folded into the next one.
 */
export class DashboardFeed {
  private readonly listeners = new Set<(snapshot: DashboardSnapshot) => void>();
  private readonly detach: (() => void)[] = [];
  private latest: DashboardSnapshot | undefined;
  private building: Promise<DashboardSnapshot> | undefined;
  private pendingReason: string | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private headTimer: NodeJS.Timeout | undefined;
  private lastL1Head = -1;
  private lastLabels: string | undefined;
  private running = false;

  constructor(private readonly config: DashboardFeedConfig) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.detach.push(this.config.sequencer.onBlock(() => this.notify("l2-block")));
    this.detach.push(this.config.watcher.onMessage(() => this.notify("l1-message")));
    this.lastL1Head = this.config.watcher.status.l1Head;
    this.headTimer = setInterval(() => {
      const head = this.config.watcher.status.l1Head;
      if (head !== this.lastL1Head) {
        this.lastL1Head = head;
        this.notify("l1-head");
      }
      const labels = this.config.labelledHeads?.();
      if (labels !== this.lastLabels) {
        this.lastLabels = labels;
        this.notify("l2-labels");
      }
    }, this.config.l1HeadCheckMs ?? 200);
  }

  /** Stops listening to the node; subscribers stay attached but receive nothing more. */
  stop(): void {
    this.running = false;
    for (const off of this.detach.splice(0)) off();
    if (this.headTimer !== undefined) clearInterval(this.headTimer);
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.headTimer = undefined;
    this.debounce = undefined;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with each new snapshot; returns an unsubscribe function. */
  subscribe(listener: (snapshot: DashboardSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The latest snapshot if it is recent enough, otherwise a new one. */
  async current(): Promise<DashboardSnapshot> {
    const latest = this.latest;
    if (latest !== undefined && Date.now() - latest.generatedAt <= (this.config.maxAgeMs ?? 250)) return latest;
    return this.building ?? this.build("request");
  }

  /** Something changed: push a new snapshot soon (nothing happens while no one listens). */
  notify(reason: string): void {
    if (!this.running || this.listeners.size === 0) return;
    this.pendingReason ??= reason;
    if (this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.flush();
    }, this.config.debounceMs ?? 50);
  }

  private async flush(): Promise<void> {
    if (this.building !== undefined) {
      // The running build may have read the node before this change: build again after it.
      await this.building.catch(() => undefined);
      if (this.building !== undefined) return;
    }
    const reason = this.pendingReason;
    if (reason === undefined || !this.running) return;
    this.pendingReason = undefined;
    try {
      const snapshot = await this.build(reason);
      for (const listener of this.listeners) listener(snapshot);
    } catch (error) {
      this.config.logger.warn(`dashboard snapshot failed (${reason}): ${(error as Error).message}`);
    }
    if (this.pendingReason !== undefined) void this.flush();
  }

  private build(reason: string): Promise<DashboardSnapshot> {
    const building = this.config.snapshot(reason).then((snapshot) => {
      this.latest = snapshot;
      return snapshot;
    });
    this.building = building;
    const clear = (): void => {
      if (this.building === building) this.building = undefined;
    };
    building.then(clear, clear);
    return building;
  }
}
