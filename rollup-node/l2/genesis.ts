import { readFileSync } from "node:fs";
import path from "node:path";

import { DEFAULT_BASE_FEE, type GenesisAccount, type GenesisConfig, type Hex } from "../chain/genesis";
import { maxVerifiableL2GasLimit } from "../../precompiles";
import { MIN_L2_GAS_LIMIT } from "../bridge/anchor";
import { ArtifactError } from "./errors";

/** The L2Bridge predeploy (`L2_BRIDGE_ADDRESS` of contracts/rollup/RollupConstants.sol). */
export const L2_BRIDGE_ADDRESS: Hex = "0x4e41540000000000000000000000000000000001";

/** ETH pre-minted in L2Bridge: deposits are released from it, withdrawals return to it. */
export const BRIDGE_PREMINT = 2n ** 128n;

/**
 * Default L2 block gas limit: 4M gas, chosen so that a FULL block's `advance` fits one L1
 * transaction.
 *
 * The binding L1 limit is Osaka's per-transaction gas cap (EIP-7825), 2^24 = 16,777,216 gas.
 * `advance` carries the witness as calldata (EIP-7623 floor: 40 gas per non-zero byte, and a
 * witness is nearly all non-zero) and EXECUTE charges 16 gas per input byte, so a witness byte
 * costs ≈ 56 L1 gas: the cap allows ≈ 290 KB of witness with nothing else.
 *
 * Measured with this sequencer (test/rollup-node/l2/witnessBudget.test.ts; 100 transfers from
 * distinct senders to fresh accounts): on a state of 1.5k / 3k accounts an ETH transfer needs
 * 570 / 740 bytes of witness, an ERC-20 transfer (51k gas) 1.1 / 1.4 KB; every doubling of the
 * state adds ≈ 170 B per account path. At ≈ 1.3 KB per ETH transfer (a deep, mainnet-like
 * state), a 4M-gas block of 190 transfers needs ≈ 250 KB ≈ 14M L1 gas; with the 4M L1 gas
 * EXECUTE charges for the block's L2 gas (docs/design/execute-budget.md) it no longer fits, and
 * the witness budget below trims such a block to ≈ 160 transfers. 5M gas would not fit at all
 * (≈ 310 KB). ERC-20 blocks stay far below (4M gas ≈ 80 ERC-20 transfers ≈ 110 KB).
 * Blocks the estimate misses (e.g. many cold contracts) are trimmed by the block budget, which
 * is what one `advance` carries (./advanceBudget.ts, docs/design/mempool-and-block-budget.md).
 */
export const DEFAULT_L2_GAS_LIMIT = 4_000_000n;

export interface L2GenesisOptions {
  readonly chainId: bigint;
  /** Seconds since the epoch. */
  readonly timestamp: bigint;
  /** L2Bridge runtime code (see `readL2BridgeRuntimeCode`). */
  readonly bridgeCode: Hex;
  readonly gasLimit?: bigint;
  readonly baseFeePerGas?: bigint;
  /** The L1's fork (the L2 follows it); osaka by default. */
  readonly hardfork?: string;
  readonly bridgeBalance?: bigint;
  /** Dev allocations and extra predeploys; they may not replace the bridge. */
  readonly alloc?: Readonly<Record<string, GenesisAccount>>;
  /** EXECUTE's write rules for the chain (`GenesisConfig.writeRules`); per block from genesis when absent. */
  readonly writeRules?: GenesisConfig["writeRules"];
}

/**
 * The genesis of an L2: the bridge predeploy holding the pre-minted ETH, plus the caller's
 * allocations. The fork's system contracts (EIP-4788, whose ring buffer carries the L1 message
 * roots, EIP-2935, …) are added by the chain itself.
 */
export function l2Genesis(options: L2GenesisOptions): GenesisConfig {
  const alloc: Record<string, GenesisAccount> = {};
  for (const [address, account] of Object.entries(options.alloc ?? {})) {
    if (address.toLowerCase() === L2_BRIDGE_ADDRESS) {
      throw new ArtifactError(
        "the genesis allocation may not replace the L2Bridge predeploy",
        `remove ${L2_BRIDGE_ADDRESS} from alloc`,
      );
    }
    alloc[address.toLowerCase()] = account;
  }
  const gasLimit = options.gasLimit ?? DEFAULT_L2_GAS_LIMIT;
  checkL2GasLimit(gasLimit);
  // Nonce 1: a contract account as if deployed (EIP-161), and what the L1 devnet does too.
  alloc[L2_BRIDGE_ADDRESS] = { nonce: 1n, balance: options.bridgeBalance ?? BRIDGE_PREMINT, code: options.bridgeCode };
  return {
    chainId: options.chainId,
    hardfork: options.hardfork,
    gasLimit,
    baseFeePerGas: options.baseFeePerGas ?? DEFAULT_BASE_FEE,
    timestamp: options.timestamp,
    alloc,
    ...(options.writeRules === undefined ? {} : { writeRules: options.writeRules }),
  };
}

/**
 * Refuses an L2 genesis gas limit L1 would refuse every block of: above what EXECUTE may verify in
 * one L1 block, or below `MIN_L2_GAS_LIMIT` (NativeRollup's `L2GasLimitTooLow`: such a block could
 * not carry the relay of the largest refund request, which anyone may queue and no block may defer).
 * A chain deployed with such a genesis could never advance, while its bridge accepts deposits.
 */
export function checkL2GasLimit(gasLimit: bigint): void {
  if (gasLimit > maxVerifiableL2GasLimit()) {
    throw new ArtifactError(
      `L2 gas limit ${gasLimit} exceeds ${maxVerifiableL2GasLimit()}, the most EXECUTE may verify in one L1 block`,
      "lower the L2 gas limit",
    );
  }
  if (gasLimit < MIN_L2_GAS_LIMIT) {
    throw new ArtifactError(
      `L2 gas limit ${gasLimit} is below ${MIN_L2_GAS_LIMIT}, the least that carries the relay of the largest L1 message (L1 refuses such blocks)`,
      "raise the L2 gas limit",
    );
  }
}

/**
 * ETH that exists on L2 from genesis outside L2Bridge: every allocation's balance. The rollup's
 * deployment deposits it on L1 (`NativeRollup.depositGenesisSupply`), so a genesis-funded account
 * that withdraws is paid from its own backing, never from other users' deposits. (The bridge's
 * pre-mint is not supply: it only leaves the bridge against a deposit made on L1.)
 */
export function genesisSupply(genesis: GenesisConfig): bigint {
  let total = 0n;
  for (const [address, account] of Object.entries(genesis.alloc ?? {})) {
    if (address.toLowerCase() !== L2_BRIDGE_ADDRESS) total += account.balance ?? 0n;
  }
  return total;
}

/** The repository's Hardhat artifacts directory (compiled by `npx hardhat compile`). */
export const DEFAULT_ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "artifacts");

/** L2Bridge's runtime code from the Hardhat artifact. */
export function readL2BridgeRuntimeCode(artifactsDir: string = DEFAULT_ARTIFACTS_DIR): Hex {
  const file = path.join(artifactsDir, "contracts", "l2", "L2Bridge.sol", "L2Bridge.json");
  let artifact: { deployedBytecode?: unknown };
  try {
    artifact = JSON.parse(readFileSync(file, "utf8")) as { deployedBytecode?: unknown };
  } catch (error) {
    throw new ArtifactError(`cannot read ${file}: ${(error as Error).message}`, "run `npx hardhat compile` first");
  }
  const code = artifact.deployedBytecode;
  if (typeof code !== "string" || !code.startsWith("0x") || code.length <= 2) {
    throw new ArtifactError(`${file} has no deployedBytecode`, "recompile the contracts with `npx hardhat compile`");
  }
  return code as Hex;
}
