import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parseEther } from "ethers";

import { createChainCommon } from "../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { silentLogger } from "../rollup-node/logger";
import { TestSigner } from "./l2Fixtures";

/** The transfers in block 3 (block 1 holds none, block 2 one). */
const MANY_TRANSFERS = 20;

export interface TransferSequencerOptions {
  readonly chainId: bigint;
  /** The seed of the TestSigner that sends the transfers (funded at genesis). */
  readonly signerSeed: number;
  /** Block 3's transfers go to the addresses `recipientBase`, `recipientBase + 1`, … (as numbers). */
  readonly recipientBase: number;
  /** The prefix of the sequencer's temporary data folder. */
  readonly dirPrefix: string;
}

export interface TransferSequencer {
  readonly sequencer: Sequencer;
  /** Closes the sequencer and removes its data folder. */
  stop(): Promise<void>;
}

/** A sequencer that has produced blocks 1, 2 and 3 of 0, 1 and 20 plain transfers, for a submitter to get accepted. */
export async function openTransferSequencer(options: TransferSequencerOptions): Promise<TransferSequencer> {
  const alice = TestSigner.fromSeed(options.signerSeed, createChainCommon(options.chainId));
  const dir = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
  const sequencer = await Sequencer.open({
    dataDir: dir,
    genesis: l2Genesis({
      chainId: options.chainId,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: { [alice.address.toString()]: { balance: parseEther("100") } },
    }),
    logger: silentLogger,
  });
  const stop = async (): Promise<void> => {
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await sequencer.produceBlock();
    await sequencer.submitTransaction(alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }));
    await sequencer.produceBlock();
    for (let i = 0; i < MANY_TRANSFERS; i++)
      await sequencer.submitTransaction(
        alice.tx({ to: `0x${(options.recipientBase + i).toString(16).padStart(40, "0")}`, value: 1n }),
      );
    await sequencer.produceBlock();
    return { sequencer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
