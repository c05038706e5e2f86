import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { type Signer, hexlify } from "ethers";

import { deployRollup } from "../deploy/rollup";
import type { Logger } from "../rollup-node/logger";
import { devNodeKeys } from "../rollup-node/node/keys";
import { devL2Genesis } from "../rollup-node/node/l2Genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import type { TestCommittee } from "./committeeFixture";

/**
 * A sequencer at a dev genesis (the relayer funded, stamped 10 s ago) in a new temporary folder;
 * with `stoppedClockAt` (seconds), the clock reads that time for good (the genesis 10 s before it).
 */
export async function openDevSequencer(
  chainId: bigint,
  dirPrefix: string,
  logger: Logger,
  stoppedClockAt?: bigint,
): Promise<{ sequencer: Sequencer; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), dirPrefix));
  const now = stoppedClockAt ?? BigInt(Math.floor(Date.now() / 1000));
  const genesis = devL2Genesis({ chainId, timestamp: now - 10n, funded: [devNodeKeys().relayer] });
  // A stopped clock makes every block's timestamp its parent's + 1 (the chain's rule when the clock
  // is behind): the same blocks from run to run, so their proofs can be committed fixtures.
  const clock = stoppedClockAt === undefined ? {} : { now: () => stoppedClockAt - 10n };
  return { sequencer: await Sequencer.open({ dataDir: dir, genesis, logger, ...clock }), dir };
}

/**
 * A proof-mode rollup on an L1 without EXECUTE (Solidity Groth16 verifiers, ProofModeExecute) for
 * `sequencer`'s genesis, the signer its sequencer: `threshold` proofs of `committees` (one accepted
 * key and verifier each) make a block; no re-execution. Returns the rollup's address.
 */
export async function deployVerifierRollup(
  signer: Signer,
  sequencer: Sequencer,
  chainId: bigint,
  committees: readonly TestCommittee[],
  threshold: number,
): Promise<string> {
  const head = sequencer.chain.resolveBlock(0n).block.header;
  const deployment = await deployRollup(signer, {
    l2ChainId: chainId,
    genesisBlockHash: bytesToHex(head.hash()),
    genesisStateRoot: bytesToHex(head.stateRoot),
    genesisSupply: 0n,
    sequencer: await signer.getAddress(),
    proofPolicy: { threshold, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
    verification: { kind: "verifiers", verificationKeys: committees.map((c) => hexlify(c.verificationKey)) },
  });
  if (deployment.mode !== "proofs-verifiers")
    throw new Error(`expected a rollup on Solidity verifiers, deployed in mode ${deployment.mode}`);
  return deployment.address;
}
