/**
 * Proof mode against re-execution (`npm run bench:proofs`).
 *
 * For L2 blocks from about 1M to 29M gas it prints, side by side in one run: EXECUTE's wall time
 * and L1 gas by re-execution (witness) and by proofs (2 committee attestations, Groth16), the
 * attestation latency (re-execute + sign + prove) against the 10-second real-time proving
 * target, and the gas of a snarkjs-exported Solidity Groth16 verifier against the precompile's
 * per-proof charge. For the largest block, attest + prove also runs with EthereumJS's own JS crypto
 * (@noble) in the same run: the baseline of precompiles/crypto.ts's fast crypto.
 *
 * "attest+prove ms (2 proofs)" is every party's work done in this one process: two committees of
 * three attesters, so six re-executions and signatures, then two Groth16 proofs. In a deployment
 * the attesters are processes of their own (AttesterPool, attester servers) working at once, so a
 * proof's latency is one attester's re-execute + sign, then one proof: the last table splits the
 * largest block's attest + prove into those two parts. With BENCH_BASELINE_DIR (another checkout, as
 * in bench:execute) that checkout's `verifyBlock` re-executes the block right after, for the same
 * part before a change.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { type Contract, ContractFactory, JsonRpcProvider, Wallet } from "ethers";
import { zKey } from "snarkjs";

import { createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";

import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  DEFAULT_HARDFORK,
  EXECUTE_ADDRESS,
  commitmentToField,
  createExecutePrecompile,
  decodeExecuteInvalid,
  decodeGroth16Proof,
  encodeExecuteInput,
  encodeProofBundle,
  executionCommitment,
  genesisForkCommon,
  jsCrypto,
  prepareCrypto,
  verifyBlock,
  evmOptions,
} from "../precompiles";
import { startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { attestBlock } from "../rollup-node/provers/attester";
import { bundledCircuitArtifacts, proveCommittee, releaseProverThreads } from "../rollup-node/provers/committee";
import { bundle, committeeProof, testCommittee } from "../tools/committeeFixture";
import { TestSigner, word } from "../tools/l2Fixtures";
import { L2TestChain } from "../tools/l2TestChain";

const CHAIN_ID = 909n;
/** Up to 15 Mgas: the test chain's gas limit is 16M, within what EXECUTE prices (`maxVerifiableL2GasLimit`). */
const TARGETS_MGAS = (process.env.BENCH_SIZES ?? "1,5,10,15").split(",").map(Number);
/** Runtime code: SSTORE(calldata[32] + i, 1) for i < calldata[0] — about 22.2k gas per slot. */
const BURNER_CODE = "0x60003560203560005b82811015601c57600182820155600101600856" + "5b00";
const BURNER = "0x00000000000000000000000000000000000b0e00";
const GAS_PER_SLOT = 22_200;
const MAX_SLOTS_PER_TX = 700; // under the 2^24 per-transaction cap
const REAL_TIME_TARGET_MS = 10_000;
const BENCH_CALLER = createAddressFromString("0x00000000000000000000000000000000000be9c4");
/** Gas passed to each EXECUTE call: more than any block here needs. */
const CALL_GAS = 100_000_000n;

async function timeMs<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await run();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Gas of the snarkjs-exported Solidity verifier for one committee proof, on the devnet. */
async function solidityVerifierGas(proofData: Uint8Array, publicInputs: bigint[]): Promise<bigint> {
  const dir = mkdtempSync(path.join(tmpdir(), "verifier-"));
  try {
    // snarkjs does not export its templates as a subpath; they sit beside its build folder.
    const template = path.join(path.dirname(require.resolve("snarkjs")), "..", "templates", "verifier_groth16.sol.ejs");
    const templates = { groth16: readFileSync(template, "utf8") };
    const source = await zKey.exportSolidityVerifier(bundledCircuitArtifacts().zkey, templates);
    writeFileSync(path.join(dir, "Verifier.sol"), source);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc");
    const output = JSON.parse(
      solc.compile(
        JSON.stringify({
          language: "Solidity",
          sources: { "Verifier.sol": { content: source } },
          settings: {
            optimizer: { enabled: true, runs: 200 },
            outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
          },
        }),
      ),
    );
    const [name, compiled] = Object.entries(output.contracts["Verifier.sol"])[0] as [
      string,
      { abi: object[]; evm: { bytecode: { object: string } } },
    ];
    const devnet = await startL1Devnet({ port: 0 });
    try {
      const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
      const wallet = new Wallet((devnet.accounts[0] as { privateKey: string }).privateKey, provider);
      const verifier = (await new ContractFactory(
        compiled.abi,
        compiled.evm.bytecode.object,
        wallet,
      ).deploy()) as Contract;
      await verifier.waitForDeployment();
      const p = decodeGroth16Proof(proofData);
      // The Solidity verifier takes G2 coordinates as [c1, c0].
      const b = [
        [p.b[0][1], p.b[0][0]],
        [p.b[1][1], p.b[1][0]],
      ];
      const ok = await verifier.verifyProof(p.a, b, p.c, publicInputs);
      if (!ok) throw new Error(`${name} rejected a valid proof`);
      const gas = await verifier.verifyProof.estimateGas(p.a, b, p.c, publicInputs);
      provider.destroy();
      return gas;
    } finally {
      await devnet.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const choice = await prepareCrypto();
  console.log(
    `EXECUTE proof mode vs re-execution, blocks of ${TARGETS_MGAS.join(", ")} Mgas (storage-writing txs), node ${process.version}, crypto: keccak ${choice.keccak256}, secp256k1 ${choice.secp256k1}`,
  );
  const jsCryptoL1 = genesisForkCommon(1n, { hardfork: DEFAULT_HARDFORK, customCrypto: jsCrypto() });
  const largest = Math.max(...TARGETS_MGAS);
  const committees = await Promise.all([testCommittee(4, 31), testCommittee(4, 32)]);
  const keys = committees.map((c) => c.keyHash);
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const senders = Array.from({ length: 50 }, (_, i) => TestSigner.fromSeed(2000 + i, probe.common));
  const chain = await L2TestChain.create(CHAIN_ID, [
    ...senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 20n })),
    { address: BURNER, code: BURNER_CODE },
  ]);
  const signers = senders.map((_, i) => TestSigner.fromSeed(2000 + i, chain.common));
  let nextSlot = 1n;
  let signerIndex = 0;
  const rows = [];
  let split: { mgas: number; attestMs: number; proveMs: number; baselineMs?: number } | undefined;
  const baselineDir = process.env.BENCH_BASELINE_DIR;
  const baseline =
    baselineDir === undefined || baselineDir === ""
      ? undefined
      : (require(path.resolve(baselineDir, "precompiles")) as {
          verifyBlock: typeof verifyBlock;
          prepareCrypto(): Promise<unknown>;
        });
  await baseline?.prepareCrypto();
  // EXECUTE as L1 runs it: wall time and gas are those of the precompile call itself.
  const execute = createExecutePrecompile();
  const evm = await createEVM(evmOptions({ customPrecompiles: [execute] }));
  const callExecute = async (data: Uint8Array) => {
    execute.beforeExecution("block"); // as in an L1 block: no wall-clock limit, unlike an eth_call

    const { execResult } = await evm.runCall({
      caller: BENCH_CALLER,
      to: createAddressFromString(EXECUTE_ADDRESS),
      data,
      gasLimit: CALL_GAS,
    });
    if (execResult.exceptionError !== undefined)
      throw new Error(`EXECUTE rejected the block: ${decodeExecuteInvalid(execResult.returnValue)?.reason}`);
    return execResult.executionGasUsed;
  };

  for (const mgas of TARGETS_MGAS) {
    let slots = Math.floor((mgas * 1e6) / GAS_PER_SLOT);
    const txs = [];
    while (slots > 0) {
      const n = Math.min(slots, MAX_SLOTS_PER_TX);
      txs.push(
        signers[signerIndex++ % signers.length].tx({
          to: BURNER,
          data: `0x${word(n)}${word(nextSlot)}`,
          gasLimit: BigInt(n * GAS_PER_SLOT + 60_000),
        }),
      );
      nextSlot += BigInt(n);
      slots -= n;
    }
    const built = await chain.buildBlock(txs);
    const params = {
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    };
    const [reexecGas, reexecMs] = await timeMs(() =>
      callExecute(encodeExecuteInput({ ...params, proofs: new Uint8Array() })),
    );

    const [proofs, attestMs] = await timeMs(() =>
      Promise.all(committees.map((c) => committeeProof(c, CHAIN_ID, built, [0, 1, 2]))),
    );
    const [, attestJsMs] =
      mgas === largest
        ? await timeMs(() =>
            Promise.all(committees.map((c) => committeeProof(c, CHAIN_ID, built, [0, 1, 2], jsCryptoL1))),
          )
        : [undefined, undefined];
    if (mgas === largest) {
      // One committee's critical path: one member's re-execute + sign (members work at once), then one proof.
      const { keys: memberKeys, committee } = committees[0];
      await baseline?.verifyBlock(params); // its own modules' warm-up, as the attests above were this one's
      const [signed, oneAttestMs] = await timeMs(() => attestBlock(memberKeys[0], 0, { ...params }));
      const others = await Promise.all([1, 2].map((i) => attestBlock(memberKeys[i], i, { ...params })));
      const [, oneProveMs] = await timeMs(() =>
        proveCommittee(bundledCircuitArtifacts(), committee, signed.commitment, [
          signed.attestation,
          ...others.map((o) => o.attestation),
        ]),
      );
      const [, baselineMs] =
        baseline === undefined ? [undefined, undefined] : await timeMs(() => baseline.verifyBlock(params));
      split = {
        mgas: Number(built.block.header.gasUsed) / 1e6,
        attestMs: oneAttestMs,
        proveMs: oneProveMs,
        baselineMs,
      };
    }
    // Proofs alone: the witness is not sent, so any fallback to re-execution would fail.
    const proofInput = encodeExecuteInput({
      ...params,
      witness: new Uint8Array(),
      proofs: encodeProofBundle(bundle(proofs, keys, 2)),
    });
    const [proofGas, proofMs] = await timeMs(() => callExecute(proofInput));
    rows.push({
      "L2 Mgas": Number(built.block.header.gasUsed) / 1e6,
      txs: txs.length,
      "witness KB": Math.round(built.witness.length / 1024),
      "re-exec ms": Math.round(reexecMs),
      "re-exec L1 gas": Number(reexecGas),
      "proof-mode ms": Math.round(proofMs),
      "proof-mode L1 gas": Number(proofGas),
      "attest+prove ms (2 proofs)": Math.round(attestMs),
      "same, JS crypto": attestJsMs === undefined ? "" : Math.round(attestJsMs),
      "within 10 s": attestMs <= REAL_TIME_TARGET_MS ? "yes" : "no",
    });
  }
  console.table(rows);
  if (split !== undefined) {
    console.table([
      {
        "L2 Mgas": split.mgas,
        "one attester: re-execute + sign ms": Math.round(split.attestMs),
        "one Groth16 proof ms": Math.round(split.proveMs),
        "critical path ms (attesters in parallel)": Math.round(split.attestMs + split.proveMs),
        ...(split.baselineMs === undefined ? {} : { "baseline re-execute ms": Math.round(split.baselineMs) }),
      },
    ]);
  }

  // The Solidity verifier checks the same statement as EXECUTE's proof mode.
  const committee = committees[0];
  const built = await chain.buildBlock([]);
  const proof = await committeeProof(committee, CHAIN_ID, built, [0, 1, 2]);
  const result = await verifyBlock({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
  });
  const inputs = [
    committee.committee.root,
    commitmentToField(executionCommitment(CHAIN_ID, built.parentHeader, result)),
  ];
  const solidityGas = await solidityVerifierGas(proof.proofData, inputs);
  console.table([
    {
      path: "snarkjs-exported Solidity Groth16 verifier (eth_estimateGas, incl. 21k intrinsic + calldata)",
      "gas per proof": Number(solidityGas),
    },
    { path: "EXECUTE proof mode: perProofGas", "gas per proof": Number(DEFAULT_EXECUTE_GAS_SCHEDULE.perProofGas) },
  ]);
  await releaseProverThreads();
}

main().catch(async (error) => {
  console.error(error);
  await releaseProverThreads();
  process.exitCode = 1;
});
