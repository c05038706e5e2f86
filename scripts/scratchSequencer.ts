/**
 * A sequencer on a fresh L2 genesis in a temporary directory, for the scripts that measure it
 * without sockets, client or L1 (bench-sequencer-cpu.ts, sequencer-heap.ts), and their shared
 * ending.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { maxVerifiableL2GasLimit } from "../precompiles";
import type { CaptureThread } from "../rollup-node/chain/captureProtocol";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { silentLogger } from "../rollup-node/logger";
import type { TestSigner } from "../tools/l2Fixtures";

/** What differs between the scripts' sequencers. */
export interface ScratchSequencerOptions {
  readonly chainId: bigint;
  /** Funded with 10^24 wei each. */
  readonly signers: readonly TestSigner[];
  /** Further genesis accounts, by address. */
  readonly alloc?: Readonly<Record<string, { balance: bigint }>>;
  /** How far before now the genesis is: far enough that a block a second never runs ahead of the clock. */
  readonly genesisAgeSeconds: bigint;
  readonly nodeCacheBytes?: number;
  readonly captureThread?: CaptureThread;
  readonly ethereumJsRunBlock?: boolean;
}

/** The sequencer and the function that closes it and deletes its directory. */
export interface ScratchSequencer {
  readonly sequencer: Sequencer;
  readonly close: () => Promise<void>;
}

export async function openScratchSequencer(options: ScratchSequencerOptions): Promise<ScratchSequencer> {
  const dir = mkdtempSync(path.join(tmpdir(), "scratch-sequencer-"));
  const sequencer = await Sequencer.open({
    dataDir: dir,
    genesis: l2Genesis({
      chainId: options.chainId,
      gasLimit: maxVerifiableL2GasLimit(),
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - options.genesisAgeSeconds,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: {
        ...Object.fromEntries(options.signers.map((s) => [s.address.toString(), { balance: 10n ** 24n }])),
        ...options.alloc,
      },
    }),
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    logger: silentLogger,
    nodeCacheBytes: options.nodeCacheBytes,
    captureThread: options.captureThread,
    ethereumJsRunBlock: options.ethereumJsRunBlock,
  });
  return {
    sequencer,
    close: async () => {
      await sequencer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a script's main and exits with its outcome (the sequencer's worker threads would keep the process alive). */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
