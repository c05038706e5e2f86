/**
 * L1 gas of a proof-mode `advance` with EXECUTE against Solidity verifiers, for the same blocks
 * and the same proofs in one run (`npx hardhat run scripts/bench-onchain-proofs.ts`).
 *
 * Two ProvenRollups follow the same L2 chain: one on the devnet (EXECUTE's proof mode at 0x0101),
 * one on Hardhat's own EDR network, which has no EXECUTE (a ProofModeExecute with a
 * Groth16Verifier per accepted key). Each block is advanced on both with 2 committee proofs
 * (policy 2 of 3) and an empty witness; the table gives each receipt's gasUsed.
 */
import { bytesToHex } from "@ethereumjs/util";
import { type Signer, hexlify } from "ethers";
import hre from "hardhat";

import { EXECUTE_ADDRESS, encodeExecutionProofs } from "../precompiles";
import { releaseProverThreads } from "../rollup-node/provers/committee";
import { ProofModeExecute__factory, type ProvenRollup, ProvenRollup__factory } from "../typechain-types";
import { committeeProof, testCommittee } from "../tools/committeeFixture";
import { startEdrL1 } from "../tools/edrL1";
import { TestSigner } from "../tools/l2Fixtures";
import { L2TestChain } from "../tools/l2TestChain";

const CHAIN_ID = 914n;
const TRANSFERS_PER_BLOCK = (process.env.BENCH_TXS ?? "1,10,50").split(",").map(Number);
const CONFIG = { sequencerInactivityPeriod: 3600, forceInclusionDelay: 3600 };

async function deployRollup(
  signer: Signer,
  chain: L2TestChain,
  acceptedKeys: string[],
  executor: string,
): Promise<ProvenRollup> {
  const genesis = chain.headerAt(0n);
  const rollup = await new ProvenRollup__factory(signer).deploy(
    CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    await signer.getAddress(),
    CONFIG,
    { threshold: 2, allowReexecution: false, acceptedKeys },
    executor,
  );
  await rollup.waitForDeployment();
  return rollup;
}

/** Progress on stderr: proving takes seconds per block. */
function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const committees = await Promise.all([testCommittee(4, 61), testCommittee(4, 62), testCommittee(4, 63)]);
  const acceptedKeys = committees.map((c) => hexlify(c.keyHash));
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(23, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
  const signer = TestSigner.fromSeed(23, chain.common);

  progress("deploying on the devnet (EXECUTE) and on EDR (no EXECUTE)");
  const [devnetSigner] = await hre.ethers.getSigners();
  const withPrecompile = await deployRollup(devnetSigner, chain, acceptedKeys, EXECUTE_ADDRESS);
  const edr = await startEdrL1(hre);
  const executor = await new ProofModeExecute__factory(edr.signer).deploy(
    committees.map((c) => hexlify(c.verificationKey)),
  );
  const executorReceipt = await executor.deploymentTransaction()?.wait();
  const withVerifiers = await deployRollup(edr.signer, chain, acceptedKeys, await executor.getAddress());

  const rows = [];
  for (const transfers of TRANSFERS_PER_BLOCK) {
    const built = await chain.buildBlock(
      Array.from({ length: transfers }, (_, i) =>
        signer.tx({ to: `0x${(0xbb00 + i).toString(16).padStart(40, "0")}`, value: 1n }),
      ),
    );
    progress(`block of ${transfers} transfers: proving`);
    const proofs = await Promise.all(
      [committees[0], committees[2]].map((c) => committeeProof(c, CHAIN_ID, built, [0, 1, 2])),
    );
    const encoded = hexlify(encodeExecutionProofs(proofs));
    const gasOf = async (rollup: ProvenRollup) =>
      (await (await rollup.advance(built.parentHeader, built.blockRlp, "0x", encoded, 0)).wait())?.gasUsed ?? 0n;
    const precompileGas = await gasOf(withPrecompile);
    const verifiersGas = await gasOf(withVerifiers);
    rows.push({
      "L2 txs": transfers,
      "block bytes": built.blockRlp.length,
      "advance gas, EXECUTE proof mode (devnet)": Number(precompileGas),
      "advance gas, Solidity verifiers (EDR, no EXECUTE)": Number(verifiersGas),
      difference: Number(verifiersGas - precompileGas),
    });
  }
  console.log(`proof-mode advance, 2 of 3 committee proofs (Groth16), same blocks and proofs, node ${process.version}`);
  console.table(rows);
  console.log(`one-off: ProofModeExecute with 3 Groth16Verifiers deployed for ${executorReceipt?.gasUsed} gas`);
  await releaseProverThreads();
}

main()
  .catch(async (error) => {
    console.error(error);
    await releaseProverThreads();
    process.exitCode = 1;
  })
  // The in-process devnet and EDR keep timers alive and have no stop in `hardhat run`.
  .finally(() => process.exit());
