import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Common } from "@ethereumjs/common";

import { createChainCommon } from "../../../rollup-node/chain/genesis";
import type { GenesisConfig } from "../../../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
import { silentLogger } from "../../../rollup-node/logger";
import { Sequencer, type SequencerConfig } from "../../../rollup-node/l2/sequencer";
import { TestSigner } from "../../../tools/l2Fixtures";

export const L2_CHAIN_ID = 901n;
export const GENESIS_TIME = 1_800_000_000n;
export const common: Common = createChainCommon(L2_CHAIN_ID);

/** Funded dev signers (fresh nonce counters on every call). */
export function signers(count = 3): TestSigner[] {
  return Array.from({ length: count }, (_, i) => TestSigner.fromSeed(i, common));
}

export function testGenesis(): GenesisConfig {
  const alloc: Record<string, { balance: bigint }> = {};
  for (const signer of signers(5)) alloc[signer.address.toString()] = { balance: 10n ** 22n };
  return l2Genesis({ chainId: L2_CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc });
}

/** Temp directories removed after the test file. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "l2-sequencer-"));
    this.dirs.push(dir);
    return dir;
  }

  /**
   * The directory as a SIGKILL would leave it: the files as they are now, while the node still
   * holds them open (LevelDB's lock file is left behind, as a killed process releases it).
   */
  crashCopy(dir: string): string {
    const copy = this.make();
    cpSync(dir, copy, { recursive: true, filter: (source) => path.basename(source) !== "LOCK" });
    return copy;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** The sequencers of one describe and their data folders. */
export interface DescribeSequencers {
  /** Folders for the describe's sequencers, removed after the describe. */
  readonly dirs: TempDirs;
  /** Registers `sequencer` to be closed after the test that opened it, passed or failed; returns it. */
  readonly track: (sequencer: Sequencer) => Sequencer;
}

/**
 * Call inside a describe: the sequencers its tests `track` are closed after each test, even a
 * failed one (an open store would keep its folder locked and mocha from exiting), and the folders
 * of `dirs` are removed after the describe.
 */
export function describeSequencers(): DescribeSequencers {
  const dirs = new TempDirs();
  const opened: Sequencer[] = [];
  afterEach(async () => {
    for (const sequencer of opened.splice(0)) await sequencer.close();
  });
  after(() => dirs.removeAll());
  return {
    dirs,
    track: (sequencer) => {
      opened.push(sequencer);
      return sequencer;
    },
  };
}

/** A deterministic clock: each read moves it one second forward. */
export function tickingClock(start = GENESIS_TIME + 100n): () => bigint {
  let now = start;
  return () => now++;
}

export function openSequencer(dataDir: string, overrides: Partial<SequencerConfig> = {}): Promise<Sequencer> {
  return Sequencer.open({ dataDir, genesis: testGenesis(), logger: silentLogger, now: tickingClock(), ...overrides });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition` holds, or rejects after `ms` with `what`. */
export async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await sleep(10);
  }
}
