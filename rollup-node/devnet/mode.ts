/**
 * The devnet's acceptance mode: which rollup it deploys and how the node gets blocks accepted.
 * One of three, chosen once (the devnet CLI, the `devnet` task and the `rollup` section of
 * hardhat.config.ts each resolve theirs into it), so "proofs and optimistic at once" cannot be
 * written past that point. A module that loads nothing: Hardhat reads it while loading its
 * config, before `hardhat compile` has generated the contract bindings.
 */

/** Blocks are re-executed by EXECUTE from their witness (ExampleRollup). */
export interface ReExecutionDevnetMode {
  readonly kind: "re-execution";
}

/**
 * k-of-n proofs (ProvenRollup): `committees` attestation committees (n), a block accepted on
 * proofs from `threshold` of the rollup's proof types (k; default: all of them).
 */
export interface ProofsDevnetMode {
  readonly kind: "proofs";
  readonly committees: number;
  readonly threshold?: number;
}

/**
 * Optimistic (OptimisticExampleRollup): every block proposed with a bond, final after the
 * challenge window. Window (s) and bond (wei) default to DEFAULT_CHALLENGE_WINDOW and
 * DEFAULT_PROPOSAL_BOND (devnet/defaults.ts), applied by the devnet.
 */
export interface OptimisticDevnetMode {
  readonly kind: "optimistic";
  readonly challengeWindow?: bigint;
  readonly proposalBond?: bigint;
  /**
   * The proposal gas bucket (docs/design/challenger-capacity.md): check gas proposed per second of
   * L1 time (R) and the bucket's size (C); deploy/rollup.ts's defaults when absent.
   */
  readonly proposalGasPerSecond?: bigint;
  readonly proposalGasBurst?: bigint;
}

export type DevnetMode = ReExecutionDevnetMode | ProofsDevnetMode | OptimisticDevnetMode;

/** The mode with every parameter decided (the resolved `rollup` section of hardhat.config.ts). */
export type ResolvedDevnetMode =
  | ReExecutionDevnetMode
  | Required<ProofsDevnetMode>
  | (OptimisticDevnetMode & Required<Pick<OptimisticDevnetMode, "challengeWindow" | "proposalBond">>);

/** The mode when none is given. */
export const DEFAULT_DEVNET_MODE: ReExecutionDevnetMode = { kind: "re-execution" };
