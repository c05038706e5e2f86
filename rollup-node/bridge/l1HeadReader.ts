import type { Block, Provider } from "ethers";

import { BridgeError } from "./errors";

/**
 * The L1's latest block, read once for a node's pollers (the L1 watcher, the safe/finalized heads,
 * the advance gas cap). Each polls at the node's L1 interval on its own timer; reading the head
 * each on its own made three to four requests per interval where one answers them all (on the
 * devnet every request is served on the L1's one thread: docs/design/fast-tests.md, round 26).
 *
 * A caller says how old a read it accepts: `latest(0)` always starts a read (the watcher, whose
 * `poll()` promises a read of L1 begun after the call), `latest(ms)` shares a read begun less
 * than `ms` ago, finished or still running. A read's age counts from its start, so a shared
 * answer is never older than the caller allowed. A failed read is not shared; an L1 that answers
 * no latest block fails the read.
 */
export class L1HeadReader {
  private last: { readonly startedAt: number; readonly block: Promise<Block> } | undefined;

  constructor(
    private readonly provider: Provider,
    private readonly now: () => number = Date.now,
  ) {}

  /** The latest L1 block, from a read begun less than `maxAgeMs` ago when there is one. */
  latest(maxAgeMs: number): Promise<Block> {
    const now = this.now();
    const last = this.last;
    if (last !== undefined && now - last.startedAt < maxAgeMs) return last.block;
    const entry = { startedAt: now, block: this.read() };
    this.last = entry;
    entry.block.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return entry.block;
  }

  private async read(): Promise<Block> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new BridgeError("L1_NO_BLOCK", "the L1 has no latest block", "check the L1 RPC endpoint");
    return block;
  }
}
