/**
 * The gas schedule of EXECUTE. EIP-8079 leaves gas open; these are this project's choices.
 *
 * L1 gas for one call is `baseGas + perInputByteGas * input.length`. The L2 block's own gas
 * limit is not charged to the calling transaction: it counts against a separate budget per L1
 * block (Drake's "separate market" idea), so an L2 block is not capped by the L1 per-transaction
 * gas cap, while the total L2 execution an L1 block may trigger stays bounded.
 */
export interface ExecuteGasSchedule {
  /** Flat cost of one EXECUTE call (decoding, header checks, trie set-up). */
  readonly baseGas: bigint;
  /** Cost per byte of input: hashing and storing the witness dominate re-execution. */
  readonly perInputByteGas: bigint;
  /** Sum of L2 block gas limits EXECUTE may verify within one L1 block. */
  readonly l2GasBudgetPerL1Block: bigint;
  /** Proof mode: cost of verifying one proof (a Groth16 check is four BN254 pairings, ≈ 181k gas under EIP-1108). */
  readonly perProofGas: bigint;
  /** Proof mode: cost per 32-byte word of the block body, which is only hashed (KECCAK256's word price). */
  readonly perBlockWordGas: bigint;
}

/**
 * Defaults: 100k base, 16 gas per byte (the calldata price of a non-zero byte), 300M L2 gas per
 * L1 block; in proof mode 200k per proof and 6 gas per block word.
 */
export const DEFAULT_EXECUTE_GAS_SCHEDULE: ExecuteGasSchedule = {
  baseGas: 100_000n,
  perInputByteGas: 16n,
  l2GasBudgetPerL1Block: 300_000_000n,
  perProofGas: 200_000n,
  perBlockWordGas: 6n,
};

/** L1 gas EXECUTE charges for an input of `inputLength` bytes. */
export function executeGasCost(inputLength: number, schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE): bigint {
  return schedule.baseGas + schedule.perInputByteGas * BigInt(inputLength);
}

/** Sizes that price a proof-mode call. */
export interface ProofModeInput {
  readonly inputLength: number;
  readonly blockLength: number;
  readonly witnessLength: number;
  readonly proofCount: number;
}

/**
 * L1 gas of EXECUTE in proof mode: flat in the L2 block's size. The witness is not read and the
 * block body is only hashed, so neither is charged at the per-byte rate.
 */
export function proofModeGasCost(input: ProofModeInput, schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE): bigint {
  const chargedBytes = BigInt(input.inputLength - input.blockLength - input.witnessLength);
  const blockWords = BigInt(Math.ceil(input.blockLength / 32));
  return schedule.baseGas + schedule.perProofGas * BigInt(input.proofCount) + schedule.perInputByteGas * chargedBytes + schedule.perBlockWordGas * blockWords;
}

/**
 * The cumulative L2 gas EXECUTE has verified in the current L1 block. The chain calls `begin`
 * before each block it builds and before each simulated call (eth_call, eth_estimateGas); blocks
 * are built atomically under the chain's lock, so a simulation never shares a block's budget.
 */
export class ExecuteGasBudget {
  private used = 0n;

  constructor(readonly limit: bigint) {}

  /** L2 gas still verifiable in this L1 block. */
  get remaining(): bigint {
    return this.limit - this.used;
  }

  /** Starts a new L1 block or a simulation, with the whole budget available. */
  begin(_kind: "block" | "call"): void {
    this.used = 0n;
  }

  /** Spends `gas` of the budget; false (and nothing spent) when it does not fit. */
  tryConsume(gas: bigint): boolean {
    if (gas > this.remaining) return false;
    this.used += gas;
    return true;
  }
}
